// openapi-typescript + openapi-fetch, as their READMEs show, with one change: a result is
// checked with `if (!data)`, not `if (error)` (docs/other-languages.md says why;
// openapi_fetch_readme.ts is the README's form, which tsc --strict refuses).
import createClient from "openapi-fetch";
import type { paths } from "./generated/openapi-typescript/schema";
import { commonSteps, report, run, sandbox } from "./_sandbox";

const client = createClient<paths>({
  baseUrl: sandbox.url,
  headers: { Authorization: `Bearer ${sandbox.oauthToken}` },
});

async function events(step: string, userId: number): Promise<void> {
  const { data, error, response } = await client.GET("/api/v2/users/{user_id}/events", {
    params: { path: { user_id: userId }, query: { "page[size]": 3 } },
  });
  if (!data) {
    report(step, { status: response.status, error });
    return;
  }
  report(step, { status: response.status, created_at: data.events.map((e) => e.created_at) });
}

run(async () => {
  await commonSteps(events);
});
