// Benchmark contender: one commit with the official JavaScript client
// (@huggingface/hub), reading a local file or folder the way its Node
// build does (file: URLs become lazy FileBlobs; a folder is walked).
//
//   node bench/js/upload.mjs HUB_URL REPO_ID LOCAL_PATH [PATH_IN_REPO]
//
// The token comes from HF_TOKEN (never from argv, which `ps` shows).
// Prints the commit's result as one JSON line on stdout.
import { pathToFileURL } from "node:url";
import { commit } from "@huggingface/hub";

const [hubUrl, repo, local, pathInRepo = ""] = process.argv.slice(2);
const out = await commit({
	repo: { type: "model", name: repo },
	credentials: { accessToken: process.env.HF_TOKEN },
	hubUrl,
	title: "Upload with @huggingface/hub",
	operations: [{ operation: "addOrUpdate", path: pathInRepo, content: pathToFileURL(local) }],
});
process.stdout.write(JSON.stringify(out) + "\n");
