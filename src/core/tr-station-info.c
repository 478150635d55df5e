/* tr-station-info.c: one station as the host's roster has it (see the
 * header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-station-info.h"

void
tr_station_info_free (TrStationInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->station_id);
  g_free (info->name);
  g_free (info->role);
  g_free (info->address);
  g_free (info->transport);
  g_free (info);
}
