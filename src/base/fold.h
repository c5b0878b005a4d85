/* Matching without regard to case or accents, in any script: "été" and
 * "ete" find "Été", "отч" finds "Отчёты", "отчет" finds "Отчёт" (as
 * search's index folds them). Text is taken as UTF-8 whatever the locale (tern
 * stores UTF-8), each character decoded and put through towlower in a UTF-8
 * locale (C.UTF-8 when the process's own is not one), so a user in the C
 * locale folds the same way. Thread-safe. Invalid bytes are kept as they
 * are. */
#ifndef TERN_FOLD_H
#define TERN_FOLD_H

/* s with every character lowercased and unaccented, as UTF-8. Caller frees. */
char *fold_case(const char *s);
/* Whether needle occurs in haystack ignoring case and accents ("" is in every string). */
int fold_contains(const char *haystack, const char *needle);
/* Whether a and b are equal ignoring case and accents. */
int fold_equal(const char *a, const char *b);

#endif
