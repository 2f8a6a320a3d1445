// The README's pattern, kept to show why openapi_fetch.ts does not use it: tsc --strict
// must refuse `data.events` (TS18048) because `error` may be the empty string of a
// text/plain 429 or 5xx body. Compiled, never run.
import createClient from "openapi-fetch";
import type { paths } from "./generated/openapi-typescript/schema";

export async function firstEventType(baseUrl: string): Promise<string | undefined> {
  const client = createClient<paths>({ baseUrl });
  const { data, error } = await client.GET("/api/v2/users/{user_id}/events", {
    params: { path: { user_id: 85211553 } },
  });
  if (error) {
    return undefined;
  }
  return data.events[0]?.type;
}
