/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "macros.h"

/* Text that came from elsewhere (a container's output, a name or path a user typed, an error message
 * drayd sent back) must not drive the terminal it is shown on: an ESC starts a sequence that can set
 * the title, clear the screen, or write the clipboard (OSC 52); a newline can forge a line of output.
 * escape_terminal() writes every C0 control character but tab (and, with ESCAPE_KEEP_NEWLINE,
 * newline), DEL, every C1 control (U+0080…U+009F, which terminals honour as 8-bit CSI/OSC) and
 * every byte that is not valid UTF-8 as "\xNN" ("\n", "\r" for those two), and all else as is. */
typedef enum EscapeFlags {
        ESCAPE_KEEP_NEWLINE = 1 << 0,
} EscapeFlags;

/* Writes the escaped form of s[0…n) to f. */
void escape_terminal_write(FILE *f, const char *s, size_t n, EscapeFlags flags);

/* The escaped form of s into buf (always NUL-terminated, cut short to fit size). */
void escape_terminal_buf(const char *s, char *buf, size_t size, EscapeFlags flags);

/* Whether s holds anything escape_terminal would change. */
bool escape_terminal_needed(const char *s, size_t n, EscapeFlags flags);
