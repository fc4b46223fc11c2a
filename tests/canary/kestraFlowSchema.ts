/**
 * Kestra's flow shape as a JSON schema, for the canary flow, written from Kestra's own model classes (the server
 * validates flows with their Jakarta constraints): core models/flows/AbstractFlow.java (`id` matches
 * `^[a-zA-Z0-9][a-zA-Z0-9._-]*` and has 1-100 characters; `namespace` matches `^[a-z0-9][a-z0-9._-]*` and has 1-150;
 * `labels` is a list of key/value pairs or a map of strings), Flow.java (`tasks` @NotEmpty, `triggers` a list),
 * TaskInterface / AbstractTrigger (`id` matches `^[a-zA-Z0-9][a-zA-Z0-9_-]*`, `type` required),
 * plugin-scripts python/Script.java (`script` @NotNull, non-empty; `containerImage`; AbstractExecScript's
 * `taskRunner`, `env`, `outputFiles`, `beforeCommands`), and core trigger Schedule (`cron` @NotNull).
 * Unknown keys are refused: Kestra rejects a property its plugin does not declare.
 */
export const KESTRA_FLOW_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["id", "namespace", "tasks"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9._-]*$", minLength: 1, maxLength: 100 },
    namespace: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$", minLength: 1, maxLength: 150 },
    description: { type: "string" },
    labels: {
      oneOf: [
        { type: "object", additionalProperties: { type: "string" } },
        { type: "array", items: { type: "object", required: ["key", "value"], properties: { key: { type: "string" }, value: { type: "string" } } } },
      ],
    },
    disabled: { type: "boolean" },
    tasks: { type: "array", minItems: 1, items: { $ref: "#/definitions/pythonScript" } },
    triggers: { type: "array", items: { $ref: "#/definitions/schedule" } },
  },
  definitions: {
    id: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9_-]*$", minLength: 1, maxLength: 100 },
    duration: { type: "string", pattern: "^P(?:\\d+D)?(?:T(?:\\d+H)?(?:\\d+M)?(?:\\d+S)?)?$" },
    pythonScript: {
      type: "object",
      required: ["id", "type", "script"],
      additionalProperties: false,
      properties: {
        id: { $ref: "#/definitions/id" },
        type: { const: "io.kestra.plugin.scripts.python.Script" },
        description: { type: "string" },
        script: { type: "string", minLength: 1 },
        containerImage: { type: "string", minLength: 1 },
        taskRunner: { type: "object", required: ["type"], properties: { type: { type: "string" } } },
        env: { type: "object", additionalProperties: { type: "string" } },
        outputFiles: { type: "array", items: { type: "string" } },
        beforeCommands: { type: "array", items: { type: "string" } },
        timeout: { $ref: "#/definitions/duration" },
        allowFailure: { type: "boolean" },
      },
    },
    schedule: {
      type: "object",
      required: ["id", "type", "cron"],
      additionalProperties: false,
      properties: {
        id: { $ref: "#/definitions/id" },
        type: { const: "io.kestra.plugin.core.trigger.Schedule" },
        cron: { type: "string", minLength: 1 },
        timezone: { type: "string" },
        disabled: { type: "boolean" },
      },
    },
  },
} as const;
