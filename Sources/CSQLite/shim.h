#include <sqlite3.h>

// sqlite3_config and sqlite3_db_config are variadic, which Swift cannot call: these wrappers
// can. See Sources/Ledger/Store/SQLite.swift ("SQLiteLibrary") and docs/STORE.md ("Pragmas").

/// Turns off SQLite's memory statistics, whose counters every allocation updates under a
/// process-wide mutex. Only before SQLite is initialised (the first open); SQLITE_MISUSE after.
static inline int ledger_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// Gives a connection `count` lookaside slots of `size` bytes: small allocations (cursors,
/// VDBE frames of triggers) come from them instead of malloc. Right after opening only.
static inline int ledger_sqlite3_lookaside(sqlite3 *db, int size, int count) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, (void *)0, size, count);
}
