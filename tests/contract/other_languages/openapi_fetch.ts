// openapi-typescript + openapi-fetch, as their READMEs show, with one change: a result is
// checked with `if (!data)`, not `if (error)` (docs/other-languages.md shows userEvents and
// says why; openapi_fetch_readme.ts is the README's form, which tsc --strict refuses).
import createClient from "openapi-fetch";
import type { paths } from "./generated/openapi-typescript/schema";
import { apiTokenHeader, commonSteps, report, run, sandbox } from "./_sandbox";

const client = createClient<paths>({
  baseUrl: sandbox.url,
  headers: { Authorization: `Bearer ${sandbox.oauthToken}` },
});

async function userEvents(userId: number) {
  const { data, error, response } = await client.GET("/api/v2/users/{user_id}/events", {
    params: { path: { user_id: userId }, query: { "page[size]": 3 } },
  });
  if (!data) {
    // error: the JSON error body, or the plain text of a CDN's 5xx
    return { status: response.status, error };
  }
  return { status: response.status, created_at: data.events.map((event) => event.created_at) };
}

run(async () => {
  // One credential of the other kind: an API token is sent as given.
  const basic = createClient<paths>({ baseUrl: sandbox.url, headers: { Authorization: apiTokenHeader } });
  const { response } = await basic.GET("/api/v2/users/{user_id}/events", {
    params: { path: { user_id: 85211553 } },
  });
  report("api-token", { status: response.status });
  await commonSteps(async (step, userId) => report(step, await userEvents(userId)));
});
