import * as assert from "node:assert/strict";
import { canonicalPluginType, pluginTypeNames } from "../../scan/aliases";

describe("scan: Kestra legacy plugin names", () => {
  const cases: [string, string | undefined][] = [
    ["io.kestra.core.tasks.log.Log", "io.kestra.plugin.core.log.Log"],
    ["io.kestra.core.tasks.flows.Subflow", "io.kestra.plugin.core.flow.Subflow"],
    ["io.kestra.core.tasks.flows.WorkingDirectory", "io.kestra.plugin.core.flow.WorkingDirectory"],
    ["io.kestra.core.tasks.storages.LocalFiles", "io.kestra.plugin.core.storage.LocalFiles"],
    ["io.kestra.core.tasks.executions.Counts", "io.kestra.plugin.core.execution.Count"],
    ["io.kestra.core.models.triggers.types.Webhook", "io.kestra.plugin.core.trigger.Webhook"],
    ["io.kestra.core.models.conditions.types.VariableCondition", "io.kestra.plugin.core.condition.ExpressionCondition"],
    ["io.kestra.core.models.conditions.types.ExecutionStatusCondition", "io.kestra.plugin.core.condition.ExecutionStatusCondition"],
    ["io.kestra.core.models.tasks.runners.types.ProcessTaskRunner", "io.kestra.plugin.core.runner.Process"],
    ["io.kestra.plugin.scripts.runner.docker.DockerTaskRunner", "io.kestra.plugin.scripts.runner.docker.Docker"],
    ["io.kestra.plugin.fs.http.Request", "io.kestra.plugin.core.http.Request"],
    ["io.kestra.core.tasks.scripts.Bash", "io.kestra.plugin.scripts.shell.Commands"],
    ["io.kestra.core.tasks.scripts.Python", "io.kestra.plugin.scripts.python.Commands"],
    ["io.kestra.plugin.core.log.Log", undefined],
    ["io.kestra.plugin.scripts.shell.Commands", undefined],
    // A deeper name under a renamed package was never part of the rename.
    ["io.kestra.core.tasks.flows.sub.Thing", undefined],
    ["io.kestra.core.tasks.flows.", undefined],
  ];
  for (const [legacy, current] of cases) {
    it(`${legacy} -> ${current ?? "(not legacy)"}`, () => {
      assert.equal(canonicalPluginType(legacy), current);
      assert.deepEqual(pluginTypeNames(legacy), current ? [legacy, current] : [legacy]);
    });
  }
});
