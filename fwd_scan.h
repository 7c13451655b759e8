/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd_scan.h - which ports have listening (or bound) sockets, per side */

#ifndef FWD_SCAN_H
#define FWD_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "fwd.h"

void fwd_scan_init(const struct ctx *c);
int fwd_scan(const struct ctx *c, uint8_t proto, uint8_t pif,
	     uint8_t map[static NUM_PORTS / 8]);

/**
 * fwd_bitmap_set() - Set the bit of a port in a port bitmap
 * @map:	Bitmap
 * @port:	Port
 */
static inline void fwd_bitmap_set(uint8_t map[static NUM_PORTS / 8],
				  uint16_t port)
{
	map[port / 8] |= (uint8_t)(1U << (port % 8));
}

/**
 * fwd_bitmap_clear() - Clear the bit of a port in a port bitmap
 * @map:	Bitmap
 * @port:	Port
 */
static inline void fwd_bitmap_clear(uint8_t map[static NUM_PORTS / 8],
				    uint16_t port)
{
	map[port / 8] &= (uint8_t)~(1U << (port % 8));
}

/**
 * fwd_bitmap_isset() - Is the bit of a port set in a port bitmap?
 * @map:	Bitmap
 * @port:	Port
 *
 * Return: true if set
 */
static inline bool fwd_bitmap_isset(const uint8_t map[static NUM_PORTS / 8],
				    uint16_t port)
{
	return map[port / 8] & (1U << (port % 8));
}

#endif /* FWD_SCAN_H */
