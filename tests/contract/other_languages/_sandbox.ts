// The test's side of each usage file (not what a user writes): where the sandbox is, and
// a line protocol over stdin/stdout with tests/contract/test_other_languages.py, which
// switches the sandbox's fault injection between steps and reads the results.
import * as readline from "node:readline";

const input = readline.createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const sandbox = {
  url: env("ZDEVENTS_SANDBOX_URL"),
  email: env("ZDEVENTS_SANDBOX_EMAIL"),
  apiToken: env("ZDEVENTS_SANDBOX_API_TOKEN"),
  oauthToken: env("ZDEVENTS_SANDBOX_OAUTH_TOKEN"),
};

/** The API token as an `Authorization` header (HTTP basic, user `{email}/token`). */
export const apiTokenHeader = `Basic ${Buffer.from(`${sandbox.email}/token:${sandbox.apiToken}`).toString("base64")}`;

/** Asks the test to make the sandbox answer every request with this fault ("" for none). */
export async function faults(kind: string): Promise<void> {
  console.log(`faults ${kind}`);
  const answer = await lines.next();
  if (answer.done || answer.value !== "ok") throw new Error(`the test did not set ${kind}`);
}

/** One step's outcome, for the test to check. */
export function report(step: string, value: unknown): void {
  console.log(`result ${step} ${JSON.stringify(value)}`);
}

/**
 * The steps every usage file takes with its own `events(step, userId)`: a page of the demo
 * rider's events, an unknown user's 404, plain-text 503 and 520 answers, and a 429.
 */
export async function commonSteps(
  events: (step: string, userId: number) => Promise<void>,
): Promise<void> {
  await events("list", 85211553);
  await events("404", 1);
  for (const fault of ["503", "520", "429"]) {
    await faults(fault);
    await events(fault, 85211553);
  }
  await faults("");
}

export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } finally {
    input.close();
  }
}
