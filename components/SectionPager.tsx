// Previous / next for one section of a page that holds several lists (the host page): the section's page is a URL
// parameter of its own, so each list pages independently and any view can be shared as a link.
import Link from "next/link";

export interface SectionPagerProps {
  /** What the rows are, for the labels: "risk events". */
  noun: string;
  /** The URL parameter holding this section's page number. */
  param: string;
  page: number;
  size: number;
  total: number;
  /** The page's current query, kept in the links. */
  query: Record<string, string | string[] | undefined>;
  /** Where the whole list lives, when another page shows it better. */
  all?: { href: string; label: string };
  /** The links' words, when the list is not newest first. */
  order?: "newest first" | "oldest first";
}

export function SectionPager({ noun, param, page, size, total, query, all, order = "newest first" }: SectionPagerProps) {
  if (total === 0) return null;
  const first = (page - 1) * size + 1;
  const last = Math.min(total, page * size);
  const href = (p: number) => {
    const params = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (typeof v === "string" && k !== param ? [[k, v]] : [])));
    if (p > 1) params.set(param, String(p));
    return `?${params}`;
  };
  return (
    <nav className="pager" aria-label={`${noun[0].toUpperCase()}${noun.slice(1)} pages`}>
      <span>
        {first > last ? `No ${noun} on page ${page}` : `${first.toLocaleString()}–${last.toLocaleString()}`} of {total.toLocaleString()} {noun}
      </span>
      {page > 1 && <Link href={href(page - 1)}>{order === "newest first" ? "‹ Newer" : "‹ Older"}</Link>}
      {last < total && <Link href={href(page + 1)}>{order === "newest first" ? "Older ›" : "Newer ›"}</Link>}
      {all && <Link href={all.href}>{all.label}</Link>}
    </nav>
  );
}
