/* tr-web.h: the browser display, served by the host from a GResource
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The resource prefix the page is compiled under (data/web). */
#define TR_WEB_RESOURCE_PREFIX "/io/github/ticketrail/Ticketrail/web"

/* Adds the handlers for "/" (the page), "/sw.js" (its service worker)
 * and "/static/" (its assets) to @server. The "/" handler is the
 * server's fallback, so every path no other handler claims gets a 404
 * from it. */
void tr_web_register (SoupServer *server);

G_END_DECLS
