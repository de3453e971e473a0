// Message templates now live in the event catalogue (catalogue/events.json, catalogue/index.ts): rendering a message
// from event data and recovering event data from a rendered message. Re-exported here for existing callers.
export { dataFromMessage, renderMessage } from "./catalogue";
