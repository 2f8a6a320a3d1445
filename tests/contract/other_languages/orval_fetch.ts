// The custom fetch of orval's documentation ("Custom fetch client"): the base URL, and a
// body parsed as JSON only when it says it is JSON (Zendesk's CDN answers 5xx in plain
// text, which the default client hands to JSON.parse).
import { sandbox } from "./_sandbox";

const getBody = async (response: Response): Promise<unknown> => {
  if ([204, 205, 304].includes(response.status)) return null;
  const contentType = response.headers.get("content-type") ?? "";
  return contentType.includes("json") ? response.json() : response.text();
};

export const customFetch = async <T>(url: string, options: RequestInit): Promise<T> => {
  const response = await fetch(`${sandbox.url}${url}`, {
    ...options,
    headers: { ...options.headers, Authorization: `Bearer ${sandbox.oauthToken}` },
  });
  const data = await getBody(response);
  return { data, status: response.status, headers: response.headers } as T;
};
