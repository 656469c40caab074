// Repository and branch calls of the official JavaScript client
// (@huggingface/hub) against a test hub. Used by
// tests/integration/test_hub_upload_selftest.py.
//
//   node repos.mjs HUB_URL TOKEN REPO_ID
//
// Creates REPO_ID, makes branches "dev" (from main), "empty" (emptyBranch),
// re-creates "dev" with overwrite (no start point: a no-op) and then from
// "empty", deletes "empty", records whether the repo exists before and after
// deleteRepo, and prints what it saw as one JSON line.
import { createBranch, createRepo, deleteBranch, deleteRepo, repoExists } from "@huggingface/hub";

const [hubUrl, token, name] = process.argv.slice(2);
console.debug = console.info = console.log = (...a) => console.error(...a);
const repo = { type: "model", name };
const common = { repo, accessToken: token, hubUrl };
const out = {};
const refs = async () => {
	const r = await fetch(`${hubUrl}/api/models/${name}/refs`, { headers: { Authorization: `Bearer ${token}` } });
	return Object.fromEntries((await r.json()).branches.map((b) => [b.name, b.targetCommit]));
};
out.created = await createRepo(common);
await createBranch({ ...common, branch: "dev" });
await createBranch({ ...common, branch: "empty", empty: true });
out.afterCreate = await refs();
try {
	await createBranch({ ...common, branch: "dev" });
	out.again = "ok";
} catch (e) {
	out.again = e.statusCode ?? String(e);
}
await createBranch({ ...common, branch: "dev", overwrite: true });
out.afterNoop = await refs();
await createBranch({ ...common, branch: "dev", overwrite: true, revision: "empty" });
out.afterOverwrite = await refs();
await deleteBranch({ ...common, branch: "empty" });
out.afterDelete = await refs();
out.existsBefore = await repoExists(common);
await deleteRepo(common);
out.existsAfter = await repoExists(common);
process.stdout.write(JSON.stringify(out) + "\n");
