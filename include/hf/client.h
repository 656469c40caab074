/**
 * @file hf/client.h
 * @brief The client handle: configuration read from the environment once,
 * the endpoint, paths, and the error record of the last call.
 *
 * Thread-safety: a client is used by one thread at a time. Separate clients
 * may be used from separate threads at once. hf_client_new() may be called
 * from any thread (it reads the environment: not while another thread
 * changes it with setenv(), e.g. hf_dotenv_load()).
 */
#ifndef HF_CLIENT_H
#define HF_CLIENT_H

#include "common.h"
#include "errors.h"

HF_BEGIN_DECL

/**
 * An opaque client: the configuration read once from the environment (and
 * options), the explicit token if any, and the record of the last error.
 * Create with hf_client_new(), release with hf_client_free(). Cheap: it
 * holds no connection between calls.
 * @since 0.1
 */
typedef struct hf_client hf_client;

/** The current version of ::hf_client_options (its `version` field). @since 0.1 */
#define HF_CLIENT_OPTIONS_VERSION 1

/**
 * Options of hf_client_new(). Initialise with HF_CLIENT_OPTIONS_INIT or
 * hf_client_options_init(); fields are only ever appended. Every string
 * is copied; NULL means "from the environment, else the default".
 * @since 0.1
 */
typedef struct hf_client_options {
	/** HF_CLIENT_OPTIONS_VERSION: the layout the caller was compiled with. */
	unsigned int version;
	/** Hub URL, overrides HF_ENDPOINT. */
	const char *endpoint;
	/** Explicit token: beats every other source (like the official client's token=). */
	const char *token;
	/** Overrides HF_HOME. */
	const char *hf_home;
	/** Overrides HF_HUB_CACHE. */
	const char *cache_dir;
	/** Overrides HF_TOKEN_PATH. */
	const char *token_path;
	/** Prepended to the User-Agent, e.g. "myapp/1.2". */
	const char *user_agent;
	/**
	 * Environment lookup; NULL means getenv() (e.g. for a program that
	 * keeps its settings elsewhere, or tests). Called by hf_client_new() and, later, by the calls
	 * that read a variable when they run (the token variables,
	 * HF_HUB_USER_AGENT_ORIGIN), on the calling thread: it and its
	 * payload must stay valid as long as the client.
	 */
	const char *(*getenv_fn)(const char *name, void *payload);
	/** Passed to getenv_fn. */
	void *getenv_payload;
} hf_client_options;

#define HF_CLIENT_OPTIONS_INIT { HF_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Reset @p opts to defaults (same as HF_CLIENT_OPTIONS_INIT).
 * @param version pass HF_CLIENT_OPTIONS_VERSION.
 * @return HF_OK; HF_EINVAL for a NULL @p opts or a version this library
 *         does not know. Thread-safety: any thread.
 * @since 0.1
 */
HF_EXTERN(int) hf_client_options_init(hf_client_options *opts, unsigned int version);

/**
 * A client's resolved configuration (hf_client_config()). Every string is
 * owned by the client. The *_source fields say where a value came from:
 * the variable's name ("HF_HOME"), "option" for hf_client_options, or
 * "default". Allocated by the library: fields are only ever appended
 * (common.h, rule 2).
 * @since 0.1
 */
typedef struct hf_config {
	const char *endpoint;           /**< no trailing '/' */
	const char *endpoint_source;
	const char *hf_home;
	const char *hf_home_source;
	const char *hub_cache;
	const char *hub_cache_source;
	const char *assets_cache;
	const char *token_path;
	const char *token_path_source;
	const char *stored_tokens_path; /**< beside token_path */
	const char *ca_bundle;          /**< NULL: the system default */
	const char *ca_bundle_source;
	const char *ca_path;            /**< SSL_CERT_DIR, or NULL */
	int offline;                    /**< HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE */
	int disable_implicit_token;     /**< HF_HUB_DISABLE_IMPLICIT_TOKEN */
	int disable_telemetry;          /**< HF_HUB_DISABLE_TELEMETRY, DISABLE_TELEMETRY, DO_NOT_TRACK */
	int disable_progress_bars;      /**< -1 unset, 0 forced on, 1 off */
	int no_color;                   /**< NO_COLOR set (any value) */
	int debug;                      /**< HF_DEBUG */
	long etag_timeout;              /**< seconds, HF_HUB_ETAG_TIMEOUT (10) */
	long download_timeout;          /**< seconds, HF_HUB_DOWNLOAD_TIMEOUT (10) */
} hf_config;

/**
 * Create a client. Reads the environment once, here. Makes no network
 * connection and writes nothing.
 * @param out receives the client; free it with hf_client_free().
 * @return HF_OK, HF_ENOMEM, or HF_EINVAL for a malformed setting
 *         (an HF_ENDPOINT that is not http(s)://host, a non-integer
 *         timeout). On failure *out is NULL and no detail is kept:
 *         create with hf_client_new_err() to read the message.
 * @since 0.1
 */
HF_EXTERN(int) hf_client_new(hf_client **out, const hf_client_options *opts);

/**
 * Like hf_client_new(), and on HF_EINVAL copies a one-line message into
 * @p errbuf (size @p errlen) when it is not NULL.
 * @return as hf_client_new().
 * @since 0.1
 */
HF_EXTERN(int) hf_client_new_err(hf_client **out, const hf_client_options *opts,
				 char *errbuf, size_t errlen);

/**
 * Free a client and everything it owns (hf_client_config() and
 * hf_client_error() results included). NULL is a no-op. Wipes the
 * explicit token. No call may be running on the client.
 * @since 0.1
 */
HF_EXTERN(void) hf_client_free(hf_client *client);

/**
 * The client's resolved configuration; owned by the client, valid as long
 * as the client. Never NULL for a valid client.
 * @since 0.1
 */
HF_EXTERN(const hf_config *) hf_client_config(const hf_client *client);

/**
 * Details of the last failed call on @p client; owned by the client, valid
 * until the next call on that client. After a successful call the code is
 * HF_OK. Never NULL for a valid client. Read it from the thread that made
 * the call.
 * @since 0.1
 */
HF_EXTERN(const hf_error *) hf_client_error(const hf_client *client);

HF_END_DECL

#endif
