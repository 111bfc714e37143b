// Parses Adaptive Cards with Microsoft's `adaptivecards` JS library, as a Teams client does.
// Reads a JSON array of cards on standard input and prints, for each card in the same order,
// the list of events the parser and its validation logged (empty when the card is fine).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
// The package's `lib` is written for bundlers; its `dist` build runs in Node as it is.
const AC = require("adaptivecards/dist/adaptivecards.js");

function problems(json) {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const events = [];
  for (let i = 0; i < context.eventCount; i++) {
    events.push(context.getEventAt(i));
  }
  events.push(...card.validateProperties().validationEvents);
  return events.map(
    (e) =>
      `${AC.ValidationPhase[e.phase]} ${AC.ValidationEvent[e.event]}: ${e.message}`,
  );
}

const cards = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cards.map(problems)));
