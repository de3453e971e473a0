// Message templates of the events the detections care about, so that a record without a rendered message
// (EVTX, Splunk XML without RenderingInfo, JSON without `Message`) gets the text Windows would show, and a
// record with only a rendered message (classic text, CSV) gets its event data back.
// Sources: docs/reference/splunk-semantics.md §8.1 and §8.2.

interface MessageTemplate {
  provider: RegExp;
  eventCode: number;
  /** Template with `{DataName}` placeholders. */
  text: string;
}

const TEMPLATES: MessageTemplate[] = [
  {
    // Microsoft-Windows-IIS-Configuration, task_029Args: "Changes to '%4' at '%2' have successfully been committed."
    provider: /^Microsoft-Windows-IIS-Configuration$/i,
    eventCode: 29,
    text: "Changes to '{Configuration}' at '{ConfigPath}' have successfully been committed.",
  },
  {
    // Microsoft-Windows-IIS-W3SVC-WP 2282. The first two sentences are confirmed from an indexed copy; the rest
    // is Microsoft's usual wording for this event (see splunk-semantics.md §8.2).
    provider: /^(Microsoft-Windows-IIS-W3SVC-WP|W3SVC-WP)$/i,
    eventCode: 2282,
    text:
      "The Module DLL '{ModuleDll}' could not be loaded due to a configuration problem. The current configuration " +
      "only supports loading images built for a {ProcessorArchitecture} processor architecture. The data field " +
      "contains the error number. To learn more about this issue, including how to troubleshooting this kind of " +
      "processor architecture mismatch error, see http://go.microsoft.com/fwlink/?LinkId=29349.",
  },
];

function find(provider: string | null, eventCode: number): MessageTemplate | undefined {
  return TEMPLATES.find((t) => t.eventCode === eventCode && provider !== null && t.provider.test(provider));
}

/** The rendered message for an event, or null when there is no template or a placeholder has no value. */
export function renderMessage(provider: string | null, eventCode: number, data: Record<string, string | null>): string | null {
  const template = find(provider, eventCode);
  if (!template) return null;
  let missing = false;
  const text = template.text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = data[name];
    if (value === undefined || value === null) missing = true;
    return value ?? "";
  });
  return missing ? null : text;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A template's inverse, compiled once: a pattern matching its first placeholder-bearing sentences (values are
 * non-greedy and may hold quotes), and the data names of its groups in order.
 */
function compileInverse(template: MessageTemplate): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const firstSentences = template.text.split(/(?<=\.) /).filter((s) => s.includes("{")).join(" ");
  const source = escapeRegExp(firstSentences).replace(/\\\{(\w+)\\\}/g, (_, name: string) => {
    names.push(name);
    return "([\\s\\S]*?)";
  });
  return { pattern: new RegExp(`^${source}`), names };
}

const INVERSES = new Map(TEMPLATES.map((t) => [t, compileInverse(t)]));

/**
 * The event data a rendered message carries, recovered from its template: the inverse of renderMessage.
 * Only the template's leading sentences need to match, so a message with a different trailing sentence still yields its data.
 */
export function dataFromMessage(provider: string | null, eventCode: number, message: string | null): Record<string, string> {
  const template = find(provider, eventCode);
  if (!template || !message) return {};
  const { pattern, names } = INVERSES.get(template)!;
  const match = pattern.exec(message.trim());
  if (!match) return {};
  return Object.fromEntries(names.map((n, i) => [n, match[i + 1]]));
}
