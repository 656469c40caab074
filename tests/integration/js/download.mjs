// Download a repository into an HF cache with the official JavaScript
// client, against a test hub. Used by tests/integration/test_interop_js.py.
//
//   node download.mjs HUB_URL CACHE_DIR REPO_ID [REVISION]
//
// Prints {"path": <snapshot folder>, "requests": [...]} as one JSON line.
//
// The test hub has no POST /api/{type}s/{repo}/paths-info/{rev} (which
// downloadFileToCacheDir asks for each file's etag). That one call is
// answered here from the hub's own tree listing (GET .../tree/{rev}?
// recursive=true), which carries the same oid / lfs.oid / size fields;
// every other request, and every byte, goes to the hub and its CDN.
import { snapshotDownload } from "@huggingface/hub";

const [hubUrl, cacheDir, repo, revision] = process.argv.slice(2);
if (!hubUrl || !cacheDir || !repo) {
	console.error("usage: node download.mjs HUB_URL CACHE_DIR REPO_ID [REVISION]");
	process.exit(2);
}

// The client logs progress with console.debug/info: keep stdout for the result.
console.debug = console.info = console.log = (...a) => console.error(...a);
const print = (line) => process.stdout.write(line + "\n");

const requests = [];
const trees = new Map();
const realFetch = globalThis.fetch;

async function treeOf(type, name, rev) {
	const key = `${type}/${name}@${rev}`;
	if (!trees.has(key)) {
		const entries = [];
		let url = `${hubUrl}/api/${type}/${name}/tree/${encodeURIComponent(rev)}?recursive=true&expand=false`;
		while (url) {
			requests.push(`GET ${url}`);
			const r = await realFetch(url);
			if (!r.ok)
				throw new Error(`tree listing failed: HTTP ${r.status}`);
			entries.push(...(await r.json()));
			const link = r.headers.get("link");
			const m = link && link.match(/<([^>]+)>;\s*rel="next"/);
			url = m ? m[1] : null;
		}
		trees.set(key, entries);
	}
	return trees.get(key);
}

async function shimFetch(input, init = {}) {
	const url = input instanceof URL ? input.href : typeof input === "string" ? input : input.url;
	const method = (init.method || "GET").toUpperCase();
	const m = url.match(/\/api\/(models|datasets|spaces)\/(.+)\/paths-info\/([^/?]+)$/);
	if (method === "POST" && m) {
		const [, type, name, rev] = m;
		const wanted = new Set(JSON.parse(String(init.body)).paths);
		const entries = (await treeOf(type, name, decodeURIComponent(rev)))
			.filter((e) => wanted.has(e.path))
			.map((e) => ({ ...e, lastCommit: { id: decodeURIComponent(rev), title: "", date: new Date(0).toISOString() } }));
		return new Response(JSON.stringify(entries), {
			status: 200,
			headers: { "Content-Type": "application/json" },
		});
	}
	requests.push(`${method} ${url}`);
	return realFetch(input, init);
}

try {
	const path = await snapshotDownload({
		repo,
		revision: revision || "main",
		cacheDir,
		hubUrl,
		fetch: shimFetch,
	});
	print(JSON.stringify({ path, requests }));
} catch (e) {
	console.error(`snapshotDownload failed: ${e && e.stack ? e.stack : e}`);
	process.exit(1);
}
