// The enums of prisma/schema.prisma, as the generated client declares them (pure data: safe for client components).
// TypeScript never repeats their members: a list the UI shows in an order of its own goes through enumOrder, so
// that a member added to or renamed in the schema breaks the build until the list follows.
export { NotableStatus, Role, RunKind, RunStatus, UploadStatus } from "./generated/enums";

/**
 * Every member of an enum, in the order given: `enumOrder(NotableStatus)(["new", …])` is the list itself, typed as
 * a tuple (for z.enum), and does not compile when it names a value the enum lacks or leaves one out.
 */
export function enumOrder<E extends string>(members: Readonly<Record<string, E>>) {
  void members;
  return <const L extends readonly [E, ...E[]]>(order: L & ([Exclude<E, L[number]>] extends [never] ? unknown : { missing: Exclude<E, L[number]> })): L => order;
}
