/* tr-store-lineage.h: the restaurant's lineage and generation in meta
 *
 * On a host: the lineage (the restaurant's id, kept across failovers)
 * and this host's generation, which it advertises over DNS-SD. On a
 * station: the lineage of the host it follows and the highest
 * generation of it seen, so that it never follows an older host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-store.h"

G_BEGIN_DECLS

/* Reads them; *@out_lineage is NULL and *@out_gen 0 when none is set. */
gboolean tr_store_get_lineage    (TrStore  *self,
                                  char    **out_lineage,
                                  gint64   *out_gen,
                                  GError  **error);

/* Host side, at start: reads them, first making lineage a new UUID and
 * gen 1 when the database has none (a new restaurant). */
gboolean tr_store_ensure_lineage (TrStore  *self,
                                  char    **out_lineage,
                                  gint64   *out_gen,
                                  GError  **error);

/* Station side: records the lineage followed and @gen; within one
 * lineage the stored gen only ever grows (a lower @gen leaves it). */
gboolean tr_store_set_lineage    (TrStore    *self,
                                  const char *lineage,
                                  gint64      gen,
                                  GError    **error);

/* Station side (issue 17): the address where its host's standby would
 * serve once promoted (the host's pongs name it), kept so the station
 * can try it after a restart too. NULL when none was named. */
gboolean tr_store_get_standby_url (TrStore  *self,
                                   char    **out_url,
                                   GError  **error);
gboolean tr_store_set_standby_url (TrStore    *self,
                                   const char *url,
                                   GError    **error);

G_END_DECLS
