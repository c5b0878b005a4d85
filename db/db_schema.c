#include "config.h"

#include <stddef.h>

#include "db/db_schema.h"
#include "src/base/util.h"

/* 1: the core. A message has one local id for life; IMAP's (mailbox, UID)
 * and JMAP's email id are columns. message_mailbox says where it is (a JMAP
 * email can be in several mailboxes); a row is "hidden" while a local move or
 * delete of it waits in the queue, so a sync racing the queue does not bring
 * the message back. mm_date serves one screen of a mailbox, newest first. */
static const char m1[] =
"CREATE TABLE account ("
"  id INTEGER PRIMARY KEY,"
"  name TEXT NOT NULL UNIQUE,"
"  protocol TEXT NOT NULL CHECK (protocol IN ('imap','jmap')),"
"  email TEXT NOT NULL DEFAULT '',"
"  created_at INTEGER NOT NULL DEFAULT 0);"
"CREATE TABLE mailbox ("
"  id INTEGER PRIMARY KEY,"
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  remote_id TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  delim TEXT NOT NULL DEFAULT '/',"
"  role TEXT,"
"  parent_id INTEGER REFERENCES mailbox(id) ON DELETE SET NULL,"
"  selectable INTEGER NOT NULL DEFAULT 1,"
"  subscribed INTEGER NOT NULL DEFAULT 1,"
"  total INTEGER NOT NULL DEFAULT 0,"
"  unread INTEGER NOT NULL DEFAULT 0,"
"  sort_order INTEGER NOT NULL DEFAULT 0,"
"  UNIQUE (account_id, remote_id));"
"CREATE INDEX mailbox_role ON mailbox(account_id, role);"
"CREATE TABLE message ("
"  id INTEGER PRIMARY KEY,"
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  email_id TEXT,"
"  blob_id TEXT,"
"  remote_thread_id TEXT,"
"  thread_id INTEGER,"
"  message_id TEXT,"
"  in_reply_to TEXT NOT NULL DEFAULT '',"
"  refs TEXT NOT NULL DEFAULT '',"
"  subject TEXT NOT NULL DEFAULT '',"
"  from_name TEXT NOT NULL DEFAULT '',"
"  from_addr TEXT NOT NULL DEFAULT '',"
"  to_list TEXT NOT NULL DEFAULT '',"
"  cc_list TEXT NOT NULL DEFAULT '',"
"  reply_to TEXT NOT NULL DEFAULT '',"
"  sent_at INTEGER NOT NULL DEFAULT 0,"
"  received_at INTEGER NOT NULL DEFAULT 0,"
"  size INTEGER NOT NULL DEFAULT 0,"
"  seen INTEGER NOT NULL DEFAULT 0,"
"  flagged INTEGER NOT NULL DEFAULT 0,"
"  answered INTEGER NOT NULL DEFAULT 0,"
"  draft INTEGER NOT NULL DEFAULT 0,"
"  keywords TEXT NOT NULL DEFAULT '',"
"  has_attachment INTEGER NOT NULL DEFAULT 0,"
"  preview TEXT NOT NULL DEFAULT '',"
"  modseq INTEGER NOT NULL DEFAULT 0);"
"CREATE UNIQUE INDEX message_email_id ON message(account_id, email_id) WHERE email_id IS NOT NULL;"
"CREATE INDEX message_msgid ON message(account_id, message_id);"
"CREATE INDEX message_thread ON message(thread_id);"
"CREATE INDEX message_irt ON message(account_id, in_reply_to);"
"CREATE TABLE message_mailbox ("
"  mailbox_id INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,"
"  message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,"
"  uid INTEGER,"
"  received_at INTEGER NOT NULL DEFAULT 0,"
"  hidden INTEGER NOT NULL DEFAULT 0,"
"  PRIMARY KEY (mailbox_id, message_id)) WITHOUT ROWID;"
"CREATE INDEX mm_date ON message_mailbox(mailbox_id, received_at DESC, message_id DESC) WHERE hidden = 0;"
"CREATE UNIQUE INDEX mm_uid ON message_mailbox(mailbox_id, uid) WHERE uid IS NOT NULL;"
"CREATE INDEX mm_message ON message_mailbox(message_id);"
"CREATE TABLE body ("
"  message_id INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,"
"  raw BLOB NOT NULL,"
"  fetched_at INTEGER NOT NULL);"
"CREATE TABLE attachment ("
"  id INTEGER PRIMARY KEY,"
"  message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,"
"  part_id TEXT NOT NULL DEFAULT '',"
"  filename TEXT NOT NULL DEFAULT '',"
"  media_type TEXT NOT NULL DEFAULT 'application/octet-stream',"
"  size INTEGER NOT NULL DEFAULT 0,"
"  blob_id TEXT,"
"  disposition TEXT NOT NULL DEFAULT 'attachment');"
"CREATE INDEX attachment_message ON attachment(message_id);"
"CREATE TABLE sync_state ("
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  resource TEXT NOT NULL,"
"  state TEXT NOT NULL,"
"  synced_at INTEGER NOT NULL,"
"  PRIMARY KEY (account_id, resource));"
"CREATE TABLE pending_change ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  resource_type TEXT NOT NULL,"
"  resource_id INTEGER,"
"  change_type TEXT NOT NULL,"
"  payload TEXT NOT NULL DEFAULT '{}',"
"  created_at INTEGER NOT NULL,"
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  last_error TEXT,"
"  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sending','failed')),"
"  next_attempt_at INTEGER NOT NULL DEFAULT 0);"
"CREATE INDEX pending_account ON pending_change(account_id, id);"
"CREATE INDEX pending_resource ON pending_change(resource_id);"
"CREATE TABLE outbox ("
"  id INTEGER PRIMARY KEY,"
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  raw BLOB NOT NULL,"
"  message_id TEXT NOT NULL DEFAULT '',"
"  subject TEXT NOT NULL DEFAULT '',"
"  stage TEXT NOT NULL DEFAULT 'queued',"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE sync_log ("
"  id INTEGER PRIMARY KEY,"
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  protocol TEXT NOT NULL,"
"  started_at INTEGER NOT NULL,"
"  ended_at INTEGER,"
"  result TEXT,"
"  error TEXT,"
"  added INTEGER NOT NULL DEFAULT 0,"
"  updated INTEGER NOT NULL DEFAULT 0,"
"  removed INTEGER NOT NULL DEFAULT 0,"
"  pushed INTEGER NOT NULL DEFAULT 0);"
"CREATE INDEX sync_log_account ON sync_log(account_id, id);"
"CREATE TABLE account_status ("
"  account_id INTEGER PRIMARY KEY REFERENCES account(id) ON DELETE CASCADE,"
"  state TEXT NOT NULL DEFAULT 'idle',"
"  detail TEXT NOT NULL DEFAULT '',"
"  last_error TEXT,"
"  updated_at INTEGER NOT NULL DEFAULT 0);";

/* 2: the address book for completion, most used first; filled from the
 * senders already stored, then kept by db_message_insert(). */
static const char m2[] =
"CREATE TABLE contact ("
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  addr TEXT NOT NULL COLLATE NOCASE,"
"  name TEXT NOT NULL DEFAULT '',"
"  uses INTEGER NOT NULL DEFAULT 0,"
"  last_used INTEGER NOT NULL DEFAULT 0,"
"  PRIMARY KEY (account_id, addr));"
"CREATE INDEX contact_uses ON contact(account_id, uses DESC);"
"INSERT INTO contact (account_id, addr, name, uses, last_used)"
"  SELECT account_id, from_addr, max(from_name), count(*), max(received_at)"
"  FROM message WHERE from_addr <> '' GROUP BY account_id, from_addr COLLATE NOCASE;";

/* 3: full-text search. search_fts holds, per message (rowid = message.id),
 * the text a query looks at: subject, sender (name and address), To, Cc and
 * the decoded body text. Triggers keep the header columns current in the
 * same statement that changes the message, whoever changes it (any engine,
 * any local change); body_store() fills the body column in the
 * transaction that caches the body. The table keeps its own copy of the
 * text (not contentless): SQLite 3.40 can only delete from a contentless
 * index when given the exact old text. unicode61 with remove_diacritics
 * folds case and accents ("cafe" finds "Café"). No prefix indexes: they
 * cost a third more indexing time and word* is fast without them
 * (doc/SEARCH.md has the measurements). Bodies cached before this
 * migration are listed in search_reindex for body_reindex(). search_hit
 * holds what a server search found, for the view to merge in. */
static const char m3[] =
"CREATE VIRTUAL TABLE search_fts USING fts5(subject, sender, recipients, cc, body,"
"  tokenize = 'unicode61 remove_diacritics 2', columnsize = 0);"
"INSERT INTO search_fts (rowid, subject, sender, recipients, cc, body)"
"  SELECT id, subject, from_name || ' ' || from_addr, to_list, cc_list, '' FROM message;"
"CREATE TRIGGER search_message_insert AFTER INSERT ON message BEGIN"
"  INSERT INTO search_fts (rowid, subject, sender, recipients, cc, body)"
"  VALUES (new.id, new.subject, new.from_name || ' ' || new.from_addr, new.to_list, new.cc_list, '');"
"END;"
"CREATE TRIGGER search_message_update AFTER UPDATE OF subject, from_name, from_addr, to_list, cc_list"
"  ON message BEGIN"
"  UPDATE search_fts SET subject = new.subject, sender = new.from_name || ' ' || new.from_addr,"
"    recipients = new.to_list, cc = new.cc_list WHERE rowid = new.id;"
"END;"
"CREATE TRIGGER search_message_delete AFTER DELETE ON message BEGIN"
"  DELETE FROM search_fts WHERE rowid = old.id;"
"END;"
"CREATE TRIGGER search_body_delete AFTER DELETE ON body BEGIN"
"  UPDATE search_fts SET body = '' WHERE rowid = old.message_id;"
"END;"
"CREATE TABLE search_reindex (message_id INTEGER PRIMARY KEY);"
"INSERT INTO search_reindex SELECT message_id FROM body;"
"CREATE INDEX message_date ON message(received_at, id);"
"CREATE TABLE search_hit ("
"  search_key TEXT NOT NULL,"
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,"
"  found_at INTEGER NOT NULL,"
"  PRIMARY KEY (search_key, message_id)) WITHOUT ROWID;"
"CREATE INDEX search_hit_message ON search_hit(message_id);"
"CREATE INDEX search_hit_account ON search_hit(account_id, search_key);";

/* 4: the threaded view, a screen at a time. thread_mailbox has one row per
 * (mailbox, thread) with the thread's newest visible message there and how
 * many it has, so threads page newest first through tm_order like messages
 * do through mm_date. Triggers keep it whoever writes (any engine, any local
 * change): each recomputes the one thread touched, which costs the size of
 * that thread, never of the mailbox. A thread is the messages sharing
 * message.thread_id (db_message_insert maintains it). CROSS JOIN keeps
 * SQLite on message_thread: left to itself it may walk the mailbox's mm_date
 * index instead, which costs the whole mailbox per message. */
#define TM_RECOMPUTE(T) \
"  DELETE FROM thread_mailbox WHERE thread_id = " T ";" \
"  INSERT INTO thread_mailbox (mailbox_id, thread_id, latest_at, n)" \
"    SELECT mm.mailbox_id, m.thread_id, max(mm.received_at), count(*)" \
"    FROM message m CROSS JOIN message_mailbox mm ON mm.message_id = m.id AND mm.hidden = 0" \
"    WHERE m.thread_id = " T " GROUP BY mm.mailbox_id;"
#define TM_OF(MSG) "(SELECT coalesce(thread_id, id) FROM message WHERE id = " MSG ")"
static const char m4[] =
"CREATE TABLE thread_mailbox ("
"  mailbox_id INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,"
"  thread_id INTEGER NOT NULL,"
"  latest_at INTEGER NOT NULL,"
"  n INTEGER NOT NULL,"
"  PRIMARY KEY (mailbox_id, thread_id)) WITHOUT ROWID;"
"CREATE INDEX tm_order ON thread_mailbox(mailbox_id, latest_at DESC, thread_id DESC);"
"CREATE INDEX tm_thread ON thread_mailbox(thread_id);"
"UPDATE message SET thread_id = id WHERE thread_id IS NULL;"
"INSERT INTO thread_mailbox (mailbox_id, thread_id, latest_at, n)"
"  SELECT mm.mailbox_id, m.thread_id, max(mm.received_at), count(*)"
"  FROM message m JOIN message_mailbox mm ON mm.message_id = m.id AND mm.hidden = 0"
"  GROUP BY mm.mailbox_id, m.thread_id;"
"CREATE TRIGGER tm_mm_insert AFTER INSERT ON message_mailbox BEGIN"
TM_RECOMPUTE(TM_OF("new.message_id"))
"END;"
"CREATE TRIGGER tm_mm_delete AFTER DELETE ON message_mailbox BEGIN"
TM_RECOMPUTE(TM_OF("old.message_id"))
"END;"
"CREATE TRIGGER tm_mm_update AFTER UPDATE OF hidden, received_at, mailbox_id ON message_mailbox BEGIN"
TM_RECOMPUTE(TM_OF("new.message_id"))
"END;"
"CREATE TRIGGER tm_thread_update AFTER UPDATE OF thread_id ON message"
"  WHEN old.thread_id IS NOT new.thread_id BEGIN"
TM_RECOMPUTE("coalesce(old.thread_id, old.id)")
TM_RECOMPUTE("coalesce(new.thread_id, new.id)")
"END;"
"CREATE TRIGGER tm_message_delete AFTER DELETE ON message BEGIN"
TM_RECOMPUTE("coalesce(old.thread_id, old.id)")
"END;";
#undef TM_OF
#undef TM_RECOMPUTE

/* 5: JMAP thread lookup. thread_assign() looks for a message of the same
 * server thread (threadId) for each message that has no parent here; without
 * this index that was a scan of the account per message, which made a first
 * sync of 10,000 emails take 26 s instead of 4.5 s. */
static const char m5[] =
"CREATE INDEX message_remote_thread ON message(account_id, remote_thread_id)"
"  WHERE remote_thread_id IS NOT NULL;";

/* 6: rows without a UID (a move whose new UID was not learnt) are rare, and
 * every message a folder sync has not seen asks for one: this index makes
 * that question cost the few such rows, not the whole folder (it made the
 * first sync of a 62,000-message INBOX quadratic). */
static const char m6[] =
"CREATE INDEX mm_nouid ON message_mailbox(mailbox_id, message_id) WHERE uid IS NULL;";

/* 7: bulk writes. A statement that touches an FTS5 table inside a
 * transaction makes every later statement of that transaction flush FTS5's
 * pending terms (its xSavepoint), so indexing each message from its INSERT
 * trigger wrote the index a row at a time. New messages are now listed in
 * search_pending and indexed by one statement when the transaction commits
 * (db_flush_new, from db_commit): still in the transaction that stored
 * them. The thread_mailbox insert trigger adds the one row instead of
 * recomputing the thread: an insert can only raise latest_at and n. The
 * address book is counted at the same point (it was an upsert per message). */
static const char m7[] =
"CREATE TABLE search_pending (message_id INTEGER PRIMARY KEY);"
"DROP TRIGGER search_message_insert;"
"CREATE TRIGGER search_message_insert AFTER INSERT ON message BEGIN"
"  INSERT OR IGNORE INTO search_pending (message_id) VALUES (new.id);"
"END;"
"DROP TRIGGER tm_mm_insert;"
"CREATE TRIGGER tm_mm_insert AFTER INSERT ON message_mailbox WHEN new.hidden = 0 BEGIN"
"  INSERT INTO thread_mailbox (mailbox_id, thread_id, latest_at, n)"
"    VALUES (new.mailbox_id, (SELECT coalesce(thread_id, id) FROM message WHERE id = new.message_id),"
"            new.received_at, 1)"
"    ON CONFLICT (mailbox_id, thread_id) DO UPDATE SET latest_at = max(latest_at, excluded.latest_at),"
"      n = n + 1;"
"END;";

/* 8: attachment names get their own column. They were written into the
 * body column (with the Subject), so body:zebra found a message whose only
 * zebra was its subject or a file name. Now bare words still find file
 * names (every column) and body: means the body. The names come from the
 * attachment table, which the engines fill with the headers, so they are
 * found before any body is cached. FTS5 cannot add a column: the table is
 * rebuilt (the triggers that name it go first, or the rename would trip
 * over them) and every cached body is listed for body_reindex(), which
 * rewrites the body column without the subject and the names. */
static const char m8[] =
"DROP TRIGGER search_message_update;"
"DROP TRIGGER search_message_delete;"
"DROP TRIGGER search_body_delete;"
"CREATE VIRTUAL TABLE search_fts8 USING fts5(subject, sender, recipients, cc, body, attachments,"
"  tokenize = 'unicode61 remove_diacritics 2', columnsize = 0);"
"INSERT INTO search_fts8 (rowid, subject, sender, recipients, cc, body, attachments)"
"  SELECT s.rowid, s.subject, s.sender, s.recipients, s.cc, s.body,"
"    coalesce((SELECT group_concat(a.filename, ' ') FROM attachment a"
"              WHERE a.message_id = s.rowid AND a.filename IS NOT NULL), '')"
"  FROM search_fts s;"
"DROP TABLE search_fts;"
"ALTER TABLE search_fts8 RENAME TO search_fts;"
"CREATE TRIGGER search_message_update AFTER UPDATE OF subject, from_name, from_addr, to_list, cc_list"
"  ON message BEGIN"
"  UPDATE search_fts SET subject = new.subject, sender = new.from_name || ' ' || new.from_addr,"
"    recipients = new.to_list, cc = new.cc_list WHERE rowid = new.id;"
"END;"
"CREATE TRIGGER search_message_delete AFTER DELETE ON message BEGIN"
"  DELETE FROM search_fts WHERE rowid = old.id;"
"END;"
"CREATE TRIGGER search_body_delete AFTER DELETE ON body BEGIN"
"  UPDATE search_fts SET body = '' WHERE rowid = old.message_id;"
"END;"
"INSERT OR IGNORE INTO search_reindex SELECT message_id FROM body;";

/* 9: completion learns the people you write to. A send notes its To, Cc
 * and Bcc when it is queued (db_change_send), and remembers its Message-ID
 * here so that its copy arriving in Sent is not counted a second time; a
 * message of our own that arrives otherwise (sent from another client)
 * has its To and Cc noted at commit like any sender (db_contact_note_new).
 * Rows whose copy never comes (no Sent copy) are dropped after 90 days. */
static const char m9[] =
"CREATE TABLE contact_sent ("
"  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,"
"  message_id TEXT NOT NULL,"
"  noted_at INTEGER NOT NULL,"
"  PRIMARY KEY (account_id, message_id)) WITHOUT ROWID;";

/* 10: a message another client flagged \Deleted but did not expunge yet
 * (mutt before it syncs, Thunderbird's "mark as deleted") is shown so (D),
 * not as ordinary mail. */
static const char m10[] =
"ALTER TABLE message ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;";

/* 11: the queue's changes are typed columns instead of a JSON payload that
 * each reader parsed its own way (strstr, cJSON, json_extract, LIKE). The
 * columns of a kind (db/db_queue.h says which) are set, the others 0;
 * change_version is the record's layout (db_queue.c's codec). Every row,
 * queued, sending or failed, is converted here from its payload; this is
 * the only place that reads one. */
static const char m11[] =
"ALTER TABLE pending_change ADD COLUMN change_version INTEGER NOT NULL DEFAULT 1;"
"ALTER TABLE pending_change ADD COLUMN flag INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE pending_change ADD COLUMN flag_on INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE pending_change ADD COLUMN from_mailbox INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE pending_change ADD COLUMN to_mailbox INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE pending_change ADD COLUMN is_delete INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE pending_change ADD COLUMN append_flags INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE pending_change ADD COLUMN local_message INTEGER NOT NULL DEFAULT 0;"
"UPDATE pending_change SET"
"  flag = CASE json_extract(payload, '$.flag') WHEN 'seen' THEN 1 WHEN 'flagged' THEN 2"
"    WHEN 'answered' THEN 4 ELSE 0 END,"
"  flag_on = coalesce(json_extract(payload, '$.value'), 0)"
"  WHERE change_type = 'flag' AND json_valid(payload);"
"UPDATE pending_change SET"
"  from_mailbox = coalesce(json_extract(payload, '$.from'), 0),"
"  to_mailbox = coalesce(json_extract(payload, '$.to'), 0),"
"  is_delete = coalesce(json_extract(payload, '$.delete'), 0)"
"  WHERE change_type = 'move' AND json_valid(payload);"
"UPDATE pending_change SET from_mailbox = coalesce(json_extract(payload, '$.mailbox'), 0)"
"  WHERE change_type = 'delete' AND json_valid(payload);"
"UPDATE pending_change SET"
"  to_mailbox = coalesce(json_extract(payload, '$.mailbox'), 0),"
"  append_flags = (instr(coalesce(json_extract(payload, '$.flags'), ''), 'seen') > 0)"
"    | ((instr(coalesce(json_extract(payload, '$.flags'), ''), 'flagged') > 0) << 1)"
"    | ((instr(coalesce(json_extract(payload, '$.flags'), ''), 'draft') > 0) << 3),"
"  local_message = coalesce(json_extract(payload, '$.message'), 0)"
"  WHERE change_type = 'append' AND json_valid(payload);"
"ALTER TABLE pending_change DROP COLUMN payload;"
"CREATE INDEX pending_to ON pending_change(to_mailbox);"
"CREATE INDEX pending_local ON pending_change(local_message);";

/* 12: outbox stages name the point of no return (db_outbox_stage_name).
 * The old "sending" was written before the SMTP connection was even made,
 * so whether such a send reached the server is not known: it becomes
 * "submitting", which is held for the user unless Sent proves it went. */
static const char m12[] =
"UPDATE outbox SET stage = 'submitting' WHERE stage = 'sending';"
"UPDATE outbox SET stage = 'submitted' WHERE stage = 'smtp_sent';";

/* 13: a message whose headers the server sent in a form we could not read
 * is kept as far as it could be read, marked with the time of that last
 * attempt (0: read fine), so that the sync retries it only now and then. */
static const char m13[] =
"ALTER TABLE message ADD COLUMN damaged INTEGER NOT NULL DEFAULT 0;"
"CREATE INDEX message_damaged ON message(damaged) WHERE damaged <> 0;";

/* 14: folders are created, renamed and deleted offline like any change.
 * A folder whose delete is waiting is hidden (with its messages, which are
 * only reached through it) until the server has done it or the user takes
 * it back; the queue keeps the name a create or rename asks for and, for a
 * rename, the name before (undo). (Not "hidden": queries join mailbox
 * with message_mailbox, whose hidden is a message's.) */
static const char m14[] =
"ALTER TABLE mailbox ADD COLUMN delete_pending INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE pending_change ADD COLUMN mailbox_name TEXT NOT NULL DEFAULT '';"
"ALTER TABLE pending_change ADD COLUMN old_name TEXT NOT NULL DEFAULT '';";

/* 15: whether a message is PGP signed (1) or encrypted (2), from its
 * top-level Content-Type as the sync engines see it (BODYSTRUCTURE, JMAP's
 * Content-Type header), so the list can mark it without its body. */
static const char m15[] =
"ALTER TABLE message ADD COLUMN pgp INTEGER NOT NULL DEFAULT 0;";
/* 16: the message list in other orders than arrival (db/db_sort.c). A
 * page must be a range scan of an index, and an index cannot span two
 * tables, so each order's key is copied into message_mailbox when a
 * message is linked (db_message_link): the Date header, the size, the
 * flagged and unread state (kept by a trigger when flags change), and the
 * text keys of the from, to and subject orders, folded and cut to 60
 * bytes (tern_sort_text: the subject without Re:/Fwd:/[list] prefixes).
 * The headers of a stored message never change, so only the flags need a
 * trigger. Each index ends in (received_at, message_id): ties fall back
 * to the arrival order and the key is unique. tern_sort_text's first
 * argument is enum sort_order (2 from, 3 to, 4 subject). */
#define MM_SORT_INDEX(NAME, COL) \
"CREATE INDEX " NAME " ON message_mailbox(mailbox_id, " COL ", received_at, message_id) WHERE hidden = 0;"
static const char m16[] =
"ALTER TABLE message_mailbox ADD COLUMN sent_at INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE message_mailbox ADD COLUMN size INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE message_mailbox ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE message_mailbox ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE message_mailbox ADD COLUMN sort_subject TEXT NOT NULL DEFAULT '';"
"ALTER TABLE message_mailbox ADD COLUMN sort_from TEXT NOT NULL DEFAULT '';"
"ALTER TABLE message_mailbox ADD COLUMN sort_to TEXT NOT NULL DEFAULT '';"
"UPDATE message_mailbox AS mm SET sent_at = m.sent_at, size = m.size, flagged = m.flagged,"
"  unread = 1 - m.seen, sort_subject = tern_sort_text(4, m.subject, '', '', ''),"
"  sort_from = tern_sort_text(2, '', m.from_name, m.from_addr, ''),"
"  sort_to = tern_sort_text(3, '', '', '', m.to_list)"
"  FROM message m WHERE m.id = mm.message_id;"
MM_SORT_INDEX("mm_sent", "sent_at")
MM_SORT_INDEX("mm_size", "size")
MM_SORT_INDEX("mm_flagged", "flagged")
MM_SORT_INDEX("mm_unread", "unread")
MM_SORT_INDEX("mm_subject", "sort_subject")
MM_SORT_INDEX("mm_from", "sort_from")
MM_SORT_INDEX("mm_to", "sort_to")
"CREATE TRIGGER mm_sort_flags AFTER UPDATE OF seen, flagged ON message"
"  WHEN old.seen IS NOT new.seen OR old.flagged IS NOT new.flagged BEGIN"
"  UPDATE message_mailbox SET flagged = new.flagged, unread = 1 - new.seen WHERE message_id = new.id;"
"END;";
#undef MM_SORT_INDEX

static const char *const migrations[] = { m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16 };

int
db_migrations_count(void)
{
	return (int)ARRAY_LEN(migrations);
}

const char *
db_migration_sql(int version)
{
	if (version < 1 || version > db_migrations_count())
		return NULL;
	return migrations[version - 1];
}
