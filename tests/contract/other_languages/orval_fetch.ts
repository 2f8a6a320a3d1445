// The custom fetch of orval's documentation ("Custom fetch client"): the base URL, and a
// body parsed as JSON only when it says it is JSON (Zendesk's CDN answers 5xx in plain
// text, which the default client hands to JSON.parse). docs/other-languages.md shows it.
import { sandbox } from "./_sandbox";

const baseUrl = sandbox.url;

export const customFetch = async <T>(url: string, options: RequestInit): Promise<T> => {
  const response = await fetch(`${baseUrl}${url}`, options);
  const type = response.headers.get("content-type") ?? "";
  const data = [204, 205, 304].includes(response.status)
    ? null
    : type.includes("json") ? await response.json() : await response.text();
  return { data, status: response.status, headers: response.headers } as T;
};
