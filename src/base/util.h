/* Small helpers used everywhere. The x* allocators abort on exhaustion:
 * a mail client cannot do anything useful without memory, and checking every
 * small allocation would hide the real error paths. */
#ifndef TERN_UTIL_H
#define TERN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <pthread.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);          /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Strings. */
int str_eq(const char *a, const char *b);          /* NULL-safe equality */
int str_ieq(const char *a, const char *b);         /* ASCII case-insensitive */
int str_has_prefix(const char *s, const char *prefix);
int str_ihas_prefix(const char *s, const char *prefix);
int hex_value(int c);                              /* a hex digit's value, or -1 */
/* Edits from a to b (a swap of neighbours is one), 3 meaning "3 or more": for "did you mean". */
int str_typo_distance(const char *a, const char *b);
char *str_trim(char *s);                           /* in place; returns s moved past blanks */
void str_lower(char *s);                           /* ASCII only */
int str_to_long(const char *s, long min, long max, long *out); /* 0 on success */
/* n with thousands separators whatever the locale ("12,400") into buf. */
void fmt_count(uint64_t n, char *buf, size_t len);

/* Threads. */
/* Starts fn(arg) on a thread that takes no signals: they are for the UI
 * thread and the CLI's handler. detached: nobody joins it. TERN_OK, or
 * TERN_ENOMEM when no thread can be had (the caller then does without). */
int thread_start_nosig(pthread_t *t, int detached, void *(*fn)(void *), void *arg);

/* Time. */
int64_t time_now(void);        /* seconds since the epoch */
int64_t time_mono_ms(void);    /* monotonic milliseconds */
/* A civil date and time in a zone offset_min minutes east of UTC (+0530 is
 * 330) as seconds since the epoch. Fields are not checked: callers parse. */
int64_t time_from_civil(int year, int month, int day, int hour, int min, int sec, int offset_min);
/* RFC 3339 in UTC ("2024-05-01T12:00:00Z") into buf (>= 21 bytes). */
void time_rfc3339(int64_t t, char *buf, size_t len);

/* Files. */
int file_read_all(const char *path, char **out, size_t *len);   /* TERN_* */
int fd_read_all(int fd, char **out, size_t *len);               /* TERN_* */
int file_write_all(const char *path, const char *data, size_t len, int mode); /* atomic */
int mkdir_p(const char *path, int mode);                        /* TERN_* */
char *path_expand_home(const char *path);                       /* "~/x" -> "$HOME/x" */

#endif
