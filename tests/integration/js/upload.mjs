// Upload files to a test hub with the official JavaScript client
// (@huggingface/hub). Used by tests/integration/test_hub_upload_selftest.py.
//
//   node upload.mjs HUB_URL TOKEN REPO_ID < SPEC_JSON
//
// SPEC_JSON (on stdin): {"uploadFile": {"path", "b64"}, "commit": {"title", "files": [{"path", "b64"}]}}
// (either or both). Prints {"uploadFile": <result>, "commit": <result>} as one JSON line.
import { readFileSync } from "node:fs";
import { commit, uploadFile } from "@huggingface/hub";

const [hubUrl, token, repo] = process.argv.slice(2);
const specJson = readFileSync(0, "utf8");
console.debug = console.info = console.log = (...a) => console.error(...a);
const spec = JSON.parse(specJson);
const blob = (b64) => new Blob([Buffer.from(b64, "base64")]);
const out = {};
const common = { repo: { type: "model", name: repo }, credentials: { accessToken: token }, hubUrl };
if (spec.uploadFile) {
	out.uploadFile = await uploadFile({
		...common,
		file: { path: spec.uploadFile.path, content: blob(spec.uploadFile.b64) },
	});
}
if (spec.commit) {
	out.commit = await commit({
		...common,
		title: spec.commit.title,
		operations: spec.commit.files.map((f) => ({ operation: "addOrUpdate", path: f.path, content: blob(f.b64) })),
	});
}
process.stdout.write(JSON.stringify(out) + "\n");
