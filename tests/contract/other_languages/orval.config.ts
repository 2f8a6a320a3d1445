// orval's two fetch clients of the spec: its default (`plain`, the base URL from the spec's
// sandbox server), and one through a custom fetch (`custom`, orval_fetch.ts), which parses
// a body by its Content-Type (docs/other-languages.md says why).
const spec = process.env.ZDEVENTS_SPEC ?? "../../../openapi/events.yaml";
const port = process.env.ZDEVENTS_SANDBOX_PORT ?? "8765";

export default {
  plain: {
    input: spec,
    output: {
      target: "generated/orval-plain/api.ts",
      client: "fetch",
      baseUrl: { getBaseUrlFromSpecification: true, index: 1, variables: { port } },
    },
  },
  custom: {
    input: spec,
    output: {
      target: "generated/orval-custom/api.ts",
      client: "fetch",
      override: { mutator: { path: "orval_fetch.ts", name: "customFetch" } },
    },
  },
};
