/**
 * @file hf/hf.h
 * @brief libhf: a C client for the Hugging Face Hub. Include this header.
 */
#ifndef HF_HF_H
#define HF_HF_H

#include <hf/version.h>
#include "common.h"
#include "errors.h"
#include "client.h"
#include "auth.h"
#include "dotenv.h"
#include "download.h"
#include "cache.h"
#include "repo.h"
#include "upload.h"

#endif
