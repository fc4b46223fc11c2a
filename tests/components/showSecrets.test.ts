/**
 * show() never prints a secret: values under a secret-named key whatever their JSON type, and URL passwords that
 * hold "/" or "@" (a base64 password, a raw "@": exactly the values a URL parser rejects, so they end up in an
 * error message).
 */
import * as assert from "node:assert/strict";
import { show } from "../../components/validation";

describe("show() redaction", () => {
  it("redacts a secret-named key whose value is a list, an object or a number", () => {
    const text = show({ apiKeys: ["sk-live-aaaa"], credentials: { value: "cr3d-bbbb" }, pin: 1, password: 123456, name: "ok" }, { maxLength: 1000 });
    assert.ok(!text.includes("sk-live-aaaa"), text);
    assert.ok(!text.includes("cr3d-bbbb"), text);
    assert.ok(!text.includes("123456"), text);
    // Positive control: what is not secret still prints, and a boolean switch under a secret-like key is no secret.
    assert.ok(text.includes('"name":"ok"'), text);
    assert.equal(show({ passwordAuthentication: false }), '{"passwordAuthentication":false}');
  });

  it("redacts a URL password that holds a slash or an at sign", () => {
    for (const pw of ["ab/cd+ef==", "p@ss", "x/y@z"]) {
      const text = show(`http://user:${pw}@proxy:3128`);
      assert.equal(text, '"http://user:[redacted]@proxy:3128"');
    }
    // Positive control: a URL without a password is left as it is.
    assert.equal(show("http://proxy:3128/a/b"), '"http://proxy:3128/a/b"');
  });
});
