// @hey-api/openapi-ts (its fetch client), as its README and auth guide show. One
// credential: an API token. A plain string `auth` is applied to every scheme an
// operation offers and the last one (bearer) wins, so the API token is given through the
// callback form, for the basic scheme only (docs/other-languages.md shows this block).
import { createClient, createConfig } from "./generated/hey-api/client";
import { client } from "./generated/hey-api/client.gen";
import { listEventsByUserId } from "./generated/hey-api/sdk.gen";
import { commonSteps, report, run, sandbox } from "./_sandbox";

const { url: baseUrl, email, apiToken: token } = sandbox;

const apiToken = `${email}/token:${token}`;
client.setConfig({
  baseUrl,
  auth: (auth) => (auth.scheme === "basic" ? apiToken : undefined),
});

async function events(step: string, userId: number, via = client): Promise<void> {
  const { data, error, response } = await listEventsByUserId({
    client: via,
    path: { user_id: userId },
    query: { "page[size]": 3 },
  });
  if (error) {
    report(step, { status: response?.status, error });
    return;
  }
  report(step, { status: response?.status, created_at: data.events.map((e) => e.created_at) });
}

run(async () => {
  // What the issue reported: the string form sends `Bearer <api token>` (a client of its own).
  await events("string-api-token", 85211553, createClient(createConfig({ baseUrl, auth: apiToken })));
  // An OAuth token given as a string is sent as a bearer token (the last scheme).
  const oauth = createClient(createConfig({ baseUrl, auth: sandbox.oauthToken }));
  await events("string-oauth-token", 85211553, oauth);
  // The API token for the basic scheme alone (the client configured above).
  await commonSteps(events);
});
