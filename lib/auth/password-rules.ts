// Password length limits, shared by the server checks and the forms (pure: safe in client components).
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
