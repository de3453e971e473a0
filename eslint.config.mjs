import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  { ignores: ["node_modules/**", ".next/**", "lib/db/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**", ".data/**", ".bench/**"] },
];

export default config;
