/** The package's version, for reports that name their tool (SARIF `tool.driver.version`). */
import * as fs from "node:fs";
import * as path from "node:path";

/** The version in pulumi-hardening's package.json, found from this file upward (works from the sources and from dist/). */
export function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-hardening" && pkg.version) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return "0.0.0";
}
