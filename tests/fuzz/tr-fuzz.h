/* tr-fuzz.h: what the fuzz targets share
 *
 * Each target defines LLVMFuzzerTestOneInput(). Built with
 * -Dfuzzing=true (clang), libFuzzer provides main(); otherwise
 * fuzz-main.c does, running the target once per file given, so the
 * seed corpora and tests/fuzz/regressions/ run as ordinary tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A warning is a bug too: the targets run with fatal warnings, and
 * debug logging stays quiet so the fuzzer is not slowed down. */
static inline void
tr_fuzz_init (void)
{
  static gboolean done = FALSE;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

G_END_DECLS
