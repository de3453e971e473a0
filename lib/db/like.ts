// A LIKE pattern matching text that contains `text` (lowercased; compare with a lowercased column): the user's
// %, _ and \ are escaped, so a filter typed into a search box matches them literally.
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => "\\" + c)}%`;
}
