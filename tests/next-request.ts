// A Next.js request as database tests fake it: pages and server actions read cookies and headers through
// next/headers, which only exists inside a Next.js request. A test file mocks next/headers with `headersModule`
// (vi.mock("next/headers", async () => (await import("./next-request")).headersModule)) and sets the request with
// `setRequest` (or writes `ctx` itself); everything else is the real code on the real database.
import { renderToReadableStream } from "react-dom/server";
import { createElement } from "react";

interface SetCookie {
  name: string;
  value: string;
  options: Record<string, unknown>;
}
export const ctx = { cookies: new Map<string, string>(), headers: new Headers(), set: [] as SetCookie[] };

export const headersModule = {
  cookies: async () => ({
    get: (name: string) => (ctx.cookies.has(name) ? { name, value: ctx.cookies.get(name)! } : undefined),
    has: (name: string) => ctx.cookies.has(name),
    getAll: () => [...ctx.cookies].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string, options: Record<string, unknown> = {}) => {
      ctx.set.push({ name, value, options });
      if (options.maxAge === 0) ctx.cookies.delete(name);
      else ctx.cookies.set(name, value);
    },
    delete: (name: string) => ctx.cookies.delete(name),
  }),
  headers: async () => ctx.headers,
};

/** The request of the next page or action call: these cookies and headers. */
export function setRequest(cookies: Record<string, string>, headers: Record<string, string>) {
  ctx.cookies = new Map(Object.entries(cookies));
  ctx.headers = new Headers(headers);
  ctx.set = [];
}

export type Interrupt = { kind: "redirect"; to: string } | { kind: "status"; status: number };

/** What a thrown Next.js interrupt means (redirect(), notFound(), forbidden()), or null for a real error. */
export function interruptOf(e: unknown): Interrupt | null {
  const digest = (e as { digest?: unknown })?.digest;
  if (typeof digest !== "string") return null;
  if (digest.startsWith("NEXT_REDIRECT;")) return { kind: "redirect", to: digest.split(";")[2] };
  const m = /^NEXT_HTTP_ERROR_FALLBACK;(\d+)$/.exec(digest);
  return m ? { kind: "status", status: Number(m[1]) } : null;
}

type PageModule = { default: (props: never) => unknown; generateMetadata?: (props: never) => Promise<unknown> };

/**
 * Renders a page as the server would (its metadata, then its whole tree to HTML, async server components and
 * client components included): the HTML, or the interrupt it stopped with. Real errors are thrown.
 */
export async function renderPage(mod: PageModule, params: Record<string, string>, searchParams: Record<string, string | string[]>): Promise<{ html: string; title?: string } | Interrupt> {
  const props = { params: Promise.resolve(params), searchParams: Promise.resolve(searchParams) } as never;
  try {
    const meta = (await mod.generateMetadata?.(props)) as { title?: string } | undefined;
    let caught: unknown = null;
    const stream = await renderToReadableStream(createElement(mod.default as never, props), {
      onError: (e) => {
        caught ??= e;
      },
    });
    await stream.allReady;
    const html = await new Response(stream).text();
    if (caught) throw caught;
    return { html, title: meta?.title };
  } catch (e) {
    const i = interruptOf(e);
    if (i) return i;
    throw e;
  }
}
