// orval's fetch client, as its documentation shows: a result is narrowed by `status`. The
// default client is tried on a plain-text 5xx first (it throws), then the custom fetch of
// orval_fetch.ts serves every step. A 5xx is recognised by range: orval's 5xx status type
// lists only the standard codes (no 520).
import * as plain from "./generated/orval-plain/api";
import { listEventsByUserId } from "./generated/orval-custom/api";
import { apiTokenHeader, commonSteps, faults, report, run, sandbox } from "./_sandbox";

const headers = { Authorization: `Bearer ${sandbox.oauthToken}` };

async function events(step: string, userId: number): Promise<void> {
  const result = await listEventsByUserId(userId, { "page[size]": 3 }, { headers });
  if (result.status === 200) {
    report(step, { status: result.status, created_at: result.data.events.map((e) => e.created_at) });
  } else if (result.status >= 500) {
    report(step, { status: result.status, error: result.data });
  } else {
    report(step, { status: result.status, error: result.data, retry_after: result.headers.get("retry-after") });
  }
}

run(async () => {
  const listed = await plain.listEventsByUserId(85211553, { "page[size]": 3 }, { headers });
  report("plain-list", { status: listed.status });
  await faults("520");
  try {
    const failed = await plain.listEventsByUserId(85211553, {}, { headers });
    report("plain-520", { status: failed.status, error: failed.data });
  } catch (error) {
    report("plain-520", { thrown: (error as Error).name });
  }
  await faults("");
  // One credential of the other kind: an API token is sent as given.
  const basic = await listEventsByUserId(85211553, {}, { headers: { Authorization: apiTokenHeader } });
  report("api-token", { status: basic.status });
  await commonSteps(events);
});
