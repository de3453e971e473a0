// An IIS global-module inventory: the modules a host's IIS loads, as one file shows them at one time. Two forms:
//  - applicationHost.config: `<configuration><system.webServer><globalModules>` with `<add name image
//    preCondition/>`, `<remove name/>` and `<clear/>` (https://learn.microsoft.com/en-us/iis/configuration/system.webserver/globalmodules/);
//  - `Get-WebGlobalModule | ConvertTo-Json`: an array (one module: an object) of {name, image, …}; PowerShell keeps
//    the attributes' spelling (`name`, `image`), and the fields are read case-insensitively. `PSComputerName` is there
//    when the command ran through Invoke-Command, and names the host.
// An inventory is not events: it is read here, whole and bounded, and stored as a snapshot (./store.ts), not by the
// event readers. The file is attacker-controlled: bounded sizes, and XML without any DTD (saxes reads none, and a
// DOCTYPE or ENTITY declaration is refused before parsing, as the event XML reader does).
import { SaxesParser, type SaxesTagPlain } from "saxes";

export interface InventoryModule {
  name: string;
  image: string;
  preCondition: string | null;
}

export type InventorySource = "applicationHost.config" | "Get-WebGlobalModule JSON";

export interface ModuleInventory {
  source: InventorySource;
  /** The host the file names (PSComputerName), if it does. */
  host: string | null;
  modules: InventoryModule[];
}

/** Bounds: an applicationHost.config is some 100 KB and IIS ships about 45 global modules. */
export const INVENTORY_LIMITS = { maxBytes: 8 * 1024 * 1024, maxModules: 2000, maxNameChars: 256, maxImageChars: 1024 } as const;

/** A file that is not a readable inventory; the message names the file and where. */
export class InventoryError extends Error {
  name = "InventoryError";
}

/** Which inventory form a file's head (decoded text) is, or null: events, or neither. */
export function sniffInventory(head: string): InventorySource | null {
  const text = head.replace(/^[\s\uFEFF]+/, "");
  if (text.startsWith("<")) {
    // The root element of an IIS configuration file (event XML is <Event>/<Events>). A DOCTYPE naming it answers yes
    // too, so that reading refuses it loudly.
    const root = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!DOCTYPE\s+)?([A-Za-z][\w.:-]*)/.exec(text);
    return root?.[1] === "configuration" ? "applicationHost.config" : null;
  }
  if (text.startsWith("[") || text.startsWith("{")) {
    // Module objects, not events: both attributes, and none of the keys every event layout has.
    const isModule = /"image"\s*:/i.test(text) && /"name"\s*:/i.test(text);
    const isEvent = /"(EventID|EventCode|event_id|winlog|event_data|EventData|TimeCreated|@timestamp|_raw)"\s*:/i.test(text);
    return isModule && !isEvent ? "Get-WebGlobalModule JSON" : null;
  }
  return null;
}

/**
 * Reads an inventory (decoded text, at most INVENTORY_LIMITS.maxBytes: the caller checks the file's size) of the given
 * form; throws InventoryError naming `filename` and where it went wrong.
 */
export function parseInventory(text: string, filename: string, source: InventorySource): ModuleInventory {
  return source === "applicationHost.config" ? parseApplicationHostConfig(text, filename) : parseModuleJson(text, filename);
}

function checkedModule(filename: string, where: string, name: unknown, image: unknown, preCondition: unknown): InventoryModule {
  if (typeof name !== "string" || name.trim() === "") throw new InventoryError(`${filename}: ${where}: a module without a name`);
  if (typeof image !== "string" || image.trim() === "") throw new InventoryError(`${filename}: ${where}: module '${name.slice(0, 80)}' has no image`);
  if (name.length > INVENTORY_LIMITS.maxNameChars) throw new InventoryError(`${filename}: ${where}: a module name longer than ${INVENTORY_LIMITS.maxNameChars} characters`);
  if (image.length > INVENTORY_LIMITS.maxImageChars) throw new InventoryError(`${filename}: ${where}: module '${name}' has an image path longer than ${INVENTORY_LIMITS.maxImageChars} characters`);
  return { name, image, preCondition: typeof preCondition === "string" && preCondition !== "" ? preCondition : null };
}

/** Adds a module, refusing a second of the same name (IIS refuses it too: names are the collection's key). */
function addModule(modules: Map<string, InventoryModule>, module: InventoryModule, filename: string, where: string): void {
  const key = module.name.toLowerCase();
  if (modules.has(key)) throw new InventoryError(`${filename}: ${where}: module '${module.name}' is listed twice`);
  if (modules.size >= INVENTORY_LIMITS.maxModules) throw new InventoryError(`${filename}: ${where}: more than ${INVENTORY_LIMITS.maxModules} modules`);
  modules.set(key, module);
}

const GLOBAL_MODULES_PATH = "configuration/system.webServer/globalModules";

function parseApplicationHostConfig(text: string, filename: string): ModuleInventory {
  const declaration = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (declaration) {
    const line = (text.slice(0, declaration.index).match(/\n/g)?.length ?? 0) + 1;
    throw new InventoryError(`${filename}: line ${line}: a <!${declaration[1]}> declaration is refused (no DTDs are read)`);
  }
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  const modules = new Map<string, InventoryModule>();
  let sections = 0;
  const where = () => `line ${parser.line}, column ${parser.column}`;
  parser.on("error", (err) => {
    // saxes prefixes "line:column: ".
    const m = /^(\d+):(\d+): (.*)$/s.exec(err.message);
    throw new InventoryError(m ? `${filename}: malformed XML at line ${m[1]}, column ${m[2]}: ${m[3]}` : `${filename}: malformed XML: ${err.message}`);
  });
  parser.on("opentag", (tag: SaxesTagPlain) => {
    const parent = stack.join("/");
    stack.push(tag.name);
    if (stack.join("/") === GLOBAL_MODULES_PATH) sections++;
    if (parent !== GLOBAL_MODULES_PATH) return;
    const a = tag.attributes as Record<string, string>;
    if (tag.name === "add") addModule(modules, checkedModule(filename, where(), a.name, a.image, a.preCondition), filename, where());
    else if (tag.name === "remove") modules.delete(String(a.name ?? "").toLowerCase());
    else if (tag.name === "clear") modules.clear();
    else throw new InventoryError(`${filename}: ${where()}: <${tag.name}> is not an element of <globalModules>`);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(text).close();
  if (sections === 0) throw new InventoryError(`${filename}: no <system.webServer><globalModules> section: not an IIS applicationHost.config`);
  return { source: "applicationHost.config", host: null, modules: [...modules.values()] };
}

/** A property of a PowerShell object, by name in any case (ConvertTo-Json keeps the attribute's own spelling). */
function property(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function parseModuleJson(text: string, filename: string): ModuleInventory {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // V8 says where ("… in JSON at position N (line L column C)") except when the text ends early.
    const message = (e as Error).message;
    const where = /position \d+/.test(message) ? "" : /end of JSON input/.test(message) ? ` at its end (character ${text.length}: the file is cut short)` : "";
    throw new InventoryError(`${filename}: malformed JSON${where}: ${message}`);
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const modules = new Map<string, InventoryModule>();
  const hosts = new Set<string>();
  items.forEach((item, i) => {
    const where = `entry ${i + 1}`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw new InventoryError(`${filename}: ${where}: not a module object`);
    const object = item as Record<string, unknown>;
    addModule(modules, checkedModule(filename, where, property(object, "name"), property(object, "image"), property(object, "preCondition")), filename, where);
    const host = property(object, "PSComputerName");
    if (typeof host === "string" && host.trim() !== "") hosts.add(host.trim());
  });
  if (hosts.size > 1) throw new InventoryError(`${filename}: the entries name ${hosts.size} hosts (PSComputerName: ${[...hosts].slice(0, 5).join(", ")}); upload one host's inventory per file`);
  return { source: "Get-WebGlobalModule JSON", host: [...hosts][0] ?? null, modules: [...modules.values()] };
}

/** Where a module's image lives, as a reader of IIS backdoor reports judges it. */
export type ImagePlace = "inetsrv" | "dotnet" | "elsewhere";

/** %windir%\System32\inetsrv (IIS's own modules), the .NET Framework folders (ASP.NET's ManagedEngine), or elsewhere. */
export function imagePlace(image: string): ImagePlace {
  const path = image
    .trim()
    .replace(/\//g, "\\")
    .replace(/^(%windir%|%systemroot%|[a-z]:\\windows)(?=\\)/i, "%windir%")
    .toLowerCase();
  if (/^%windir%\\system32\\inetsrv\\[^\\]+$/.test(path)) return "inetsrv";
  if (/^%windir%\\microsoft\.net\\framework(64)?\\[^\\]+\\[^\\]+$/.test(path)) return "dotnet";
  return "elsewhere";
}
