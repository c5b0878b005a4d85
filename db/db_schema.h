/* The numbered migrations. Version N's SQL turns schema N-1 into N; never
 * edit a migration that has shipped: add the next one. */
#ifndef TERN_DB_SCHEMA_H
#define TERN_DB_SCHEMA_H

int db_migrations_count(void);
const char *db_migration_sql(int version);   /* 1..count */

/* From this version on, new messages reach the search index when their
 * transaction commits (search_pending). */
#define DB_SCHEMA_SEARCH_PENDING 7
/* From this version on, search_fts has the attachments column. */
#define DB_SCHEMA_FTS_ATTACHMENTS 8
/* From this version on, contacts learn the recipients of our own mail. */
#define DB_SCHEMA_CONTACT_SENT 9
/* From this version on, a queued change is typed columns (struct change),
 * not a JSON payload. */
#define DB_SCHEMA_TYPED_CHANGE 11
/* From this version on, message_mailbox holds each list order's key
 * (db/db_sort.h). */
#define DB_SCHEMA_SORT_KEYS 15

#endif
