// A chat bot's side of a conversation. The server makes one instance per connection, because
// every bot keeps per-conversation state (history, ELIZA's LIMIT, cycle counters, memory).

export interface Personality {
  /** The first thing the server sends. */
  greeting(): string;
  /** The answer to one client message. Never throws, whatever the text. */
  reply(text: string): string;
  /** Sent when the conversation ends, if the bot has something to say. */
  farewell?(): string;
}

/** Makes a fresh personality for each new conversation. */
export type PersonalityFactory = () => Personality;
