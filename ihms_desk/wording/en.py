"""English: every refusal, problem and failure the program reports, by its stable kind.

Each ``{name}`` is one of the values the error carries. The store's ``message``, the log,
the command line in English and the screens in English all read these; ``hi.py`` has the
same kinds in Hindi. Keep a kind's meaning when you change its words: the kind is what the
code, the tests and the other languages hold on to.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # -- the store: documents and stock (ihms_desk/store/ledger.py, errors.py) ---------------
    "unknown_item": "Item '{item}' is not in the catalogue. Check the code or import the catalogue.",
    "unknown_batch": "Batch '{batch}' of item {item} has never been received here.",
    "batch_expired": (
        "Batch {batch} of {item} expired at the end of {month} and cannot be issued. Choose another "
        "batch, or write it off."),
    "batch_expired_receiving": (
        "Batch {batch} of {item} expired at the end of {month}: expired stock cannot be received. "
        "Return it to the sender."),
    "receipt_expires_soon": (
        "Batch {batch} expires at the end of {month}, this month or next. Take it only with a reason, "
        "or return it to the sender."),
    "challan_same_lines": (
        "Every line of this challan equals receipt {number} (challan {voucher_no} of {date}): the same "
        "delivery entered twice doubles the stock. Check the challan number. If it truly is a second "
        "delivery, save again to confirm (F10 on the Receive screen, --same-lines-ok on the command line)."),
    "batch_expiry_mismatch": (
        "Batch {batch} of {item} is already recorded with expiry {known}, not {given}. Check the expiry "
        "printed on the pack."),
    "stock_too_low": "Only {available} available of {item}; {requested} asked.",
    "stock_too_low_batch": "Only {available} available of batch {batch} of {item}; {requested} asked.",
    "stock_would_go_negative": "The stock would go below zero: nothing was saved. Check the quantities.",
    "duplicate_voucher": (
        "Challan {voucher_no} was already received as {number}. If that receipt was wrong, the "
        "in-charge reverses it first."),
    "choose_source": "Choose where the stock came from: DDW, another facility or local purchase.",
    "choose_destination": "Choose where the stock goes: ward, sub-centre or facility.",
    "choose_adjustment_reason": "Choose a reason for the adjustment.",
    "choose_sex": "Choose the patient's sex: M, F or O.",
    "bad_age": "Age must be a whole number of years from 0 to 130.",
    "prescribed_twice": "{item} is on the prescription twice: put it on one line.",
    "more_than_prescribed": "Cannot dispense more than prescribed.",
    "correction_not_zero": "A stocktake correction is a non-zero whole number (+ or -).",
    "counted_whole_number": "A counted quantity is a whole number, 0 or more.",
    "counted_twice": "Batch {batch} of {item} is counted twice.",
    "document_not_found": "There is no document {number}.",
    "reversal_of_reversal": "{number} is itself a reversal: enter the document again instead.",
    "bad_age_sex": "'{text}' is not an age and sex. Type the age and the sex together: 35M, 6F, 8mF (8 months).",
    "bad_age_months": "An age in months is from 0 to 36: type 8mF, or the age in years (3F).",
    "correct_only_your_last_slip": (
        "Only the last slip you saved can be corrected here ({number} is not it). The in-charge reverses "
        "older slips."),
    "correction_window_over": (
        "{number} was saved more than {minutes} minutes ago: it can no longer be corrected here. Ask the "
        "in-charge to reverse it."),
    "no_such_line_to_return": "Slip {number} has no line {line} that gave any medicine: choose another line.",
    "reverse_returns_first": (
        "Part of {number} was brought back ({returns}): reverse that return first, then the slip."),
    "abha_qr_unreadable": "This QR is not an ABHA card's: type the patient's name, age and sex.",
    "opd_slip_unreadable": "The OPD slip's barcode could not be read: type the OPD number.",
    "return_line_and_qty": "'{text}' is not a line and a quantity: type the line number, a space and the quantity (2 10).",
    "already_reversed": "{number} was already reversed by {by}.",
    "dated_in_future": "A document cannot be dated in the future.",
    "backdated_too_far": "Paper records can be entered up to {days} days late, not more.",
    "voucher_after_today": "The voucher date is after today: check it.",
    "voucher_too_old": "The voucher is more than a year old: check the date.",
    "no_lines": "Add at least one line.",
    "too_many_lines": "A document has at most {n} lines.",
    # -- the store: fields (ihms_desk/store/rules.py, dosage.py) -------------------------------
    "required": "{label} is required.",
    "too_long": "{label} is longer than {n} characters.",
    "control_characters": "{label} contains control characters.",
    "invisible_character": "{label} contains an invisible character (such as a right-to-left mark or a zero-width space).",
    "batch_too_long": "Batch number '{text}' is longer than {n} characters.",
    "batch_space_at_ends": "Batch number '{text}' must not start or end with a space.",
    "batch_characters": (
        "Batch number '{text}' may hold only what is printed on the pack: letters A-Z, digits, spaces "
        "and punctuation such as - / ."),
    "bad_facility_code": "Facility code may have only letters, digits and - _ . (for example CHC-JPR-014).",
    "not_a_date": "{label} '{text}' is not a date; use dd-mm-yyyy.",
    "not_a_month": "Expiry '{text}' is not a month. Type it as on the pack, for example 03/2027.",
    "not_a_whole_number": "Quantity '{text}' is not a whole number.",
    "quantity_at_least_one": "Quantity must be at least 1.",
    "quantity_too_large": "Quantity {qty} is more than {maximum}: check the number.",
    "dose_too_large": "{qty} is more than {maximum}: check the number.",
    "not_a_quantity": "'{text}' is not a quantity. Type a number or a dose, for example: {examples}.",
    "ml_needs_a_bottle": (
        "'{text}' is in ml, but this item is not a bottle of known size: type the number of units (for "
        "example 2)."),
    "quantity_text_too_long": "'{text}...' is too long for a quantity.",
    "dose_divides_by_zero": "'{text}' divides by zero: type a half as 1/2.",
    "bad_abha": "ABHA number must be 14 digits (for example 91-1234-5678-9012), or left empty.",
    "unit_cost_not_a_number": "Unit cost '{text}' is not a number of rupees.",
    "unit_cost_not_sensible": "Unit cost '{text}' is not a sensible price.",
    "unit_cost_decimals": "Unit cost has more than 4 decimal places.",
    "gtin_needs_14_digits": "A GTIN has 14 digits.",
    # -- the store: facility, users, settings (ihms_desk/store/api.py, base.py) ----------------
    "not_set_up": "This database has no facility yet. Run the setup (ihms-desk init) first.",
    "already_set_up": "This database is already set up for a facility.",
    "bad_facility_type": "Facility type must be one of {types}.",
    "no_such_setting": "There is no setting '{key}'.",
    "bad_setting": "{key} must be {expected}.",
    "bad_username": "A user name has the letters a-z, digits, dot, dash or underscore only (no spaces, no other alphabet).",
    "password_too_short": "A password has at least {n} characters.",
    "choose_role": "Choose a role: pharmacist, store clerk, in-charge or admin.",
    "user_exists": "There is already a user '{username}'.",
    "no_such_user": "There is no user '{username}'.",
    "own_account": "You cannot disable your own account.",
    "login_failed": "Wrong user name or password.",
    "no_active_user": "There is no active user '{username}'.",
    "not_logged_in": "Log in first.",
    "permission_denied": "{who} ({role}) may not {what}. Ask the MO in-charge or the administrator.",
    # -- the machine in the way (ihms_desk/store/errors.py classify_sqlite_error, database.py) --
    "disk_full": "The disk is full: nothing was saved. Free some space (or ask for help) and save again.",
    "disk_io_error": (
        "The disk could not be read or written (an I/O error; it is not full): nothing was saved. The "
        "disk or the USB or network drive may be failing or disconnected: check it, take a backup onto "
        "another drive, and call for support if it happens again."),
    "read_only": (
        "The data folder cannot be written (read-only): nothing was saved. Check the folder's "
        "permissions or the USB/network drive, then save again."),
    "locked": (
        "The database is busy in another program or copy of IHMS Desk: nothing was saved. Close the "
        "other copy and save again."),
    "corrupt": (
        "The database file is damaged. Nothing was saved, and IHMS Desk will not write to it: restore "
        "the latest backup (the Backup screen, or ihms-desk restore) or call for support."),
    # A damaged or lost database, found before anything is written (ihms_desk/store/database.py).
    "database_damaged": (
        "The database {path} is damaged ({found}). Nothing was saved, and IHMS Desk will not write to "
        "it. Restore the newest backup: ihms-desk restore \"{backup}\" (or open IHMS Desk, which offers "
        "it); do not delete anything in the data folder."),
    "database_damaged_no_backup": (
        "The database {path} is damaged ({found}). Nothing was saved, and IHMS Desk will not write to "
        "it. No backup was found in the data folder: call your support person; do not delete anything "
        "in the data folder."),
    "database_missing": (
        "The database {path} is missing, but the folder holds {count} backup(s) of this facility; the "
        "newest is {backup}. Nothing was created. Restore it: ihms-desk restore \"{backup}\" (or open "
        "IHMS Desk, which offers it). Do not run 'ihms-desk init': that would start an empty ledger and "
        "leave the history in the backups."),
    "database_empty": (
        "The database {path} is empty (0 bytes), but the folder holds {count} backup(s) of this "
        "facility; the newest is {backup}. Nothing was created. Restore it: ihms-desk restore "
        "\"{backup}\" (or open IHMS Desk, which offers it). Do not run 'ihms-desk init': that would "
        "start an empty ledger and leave the history in the backups."),
    "cannot_open": "The database file cannot be opened. Check that the data folder exists and is writable.",
    "data_folder_full": "The disk holding {folder} is full: nothing was saved. Free some space (or ask for help), then try again.",
    "data_folder_unusable": (
        "The data folder {folder} cannot be used ({reason}). Choose another folder with --data-dir or "
        "IHMS_DATA_DIR."),
    # -- one copy per data folder (ihms_desk/instance_lock.py) ---------------------------------
    "already_open": (
        "IHMS Desk is already open on this data folder. Use the window that is already open (look in "
        "the taskbar). If no window is open, wait a minute or restart the computer."),
    "already_open_on": (
        "IHMS Desk is already open on this data folder (opened at {time} on {date} on computer "
        "{computer}). Use the window that is already open (look in the taskbar). If no window is "
        "open, wait a minute or restart the computer."),
    "restore_running": (
        "A backup is being restored into this data folder. Wait for it to finish, then open IHMS "
        "Desk again."),
    "restore_running_on": (
        "A backup is being restored into this data folder (opened at {time} on {date} on computer "
        "{computer}). Wait for it to finish, then open IHMS Desk again."),
    "folder_disk_full": "The disk holding {folder} is full. Free some space, then open IHMS Desk again.",
    "folder_io_error": (
        "The disk holding {folder} could not be read or written (an I/O error; it is not full). The disk "
        "or the USB or network drive may be failing or disconnected: check it, then open IHMS Desk "
        "again, and call for support if it happens again."),
    "folder_read_only": (
        "The data folder {folder} is read-only, so IHMS Desk cannot save anything there. Check the "
        "folder's permissions, or the USB or network drive (is it write-protected?), then open IHMS "
        "Desk again."),
    "folder_unusable": (
        "The data folder {folder} cannot be used ({reason}). Check that it exists and that the USB or "
        "network drive is connected, then open IHMS Desk again."),
    # -- backups (ihms_desk/backup.py) ---------------------------------------------------------
    "nothing_to_back_up": "There is no IHMS Desk database in {folder} to back up.",
    "backup_check_failed": (
        "The database did not pass its check, so this backup was not kept (older good backups are "
        "untouched): {problem}. Run 'ihms-desk doctor' and call for support."),
    "no_such_file": "There is no file {path}.",
    "backup_damaged": "The file {name} is damaged or inconsistent: {problem}. Choose another backup.",
    "backup_not_a_database": "The file {name} is not an IHMS Desk database ({error}). Choose another backup.",
    "backup_never_set_up": "The file {name} holds no facility: it was never set up. Choose another backup.",
    "facility_unknown": (
        "Cannot tell which facility the data folder {folder} belongs to. Give the facility code: "
        "ihms-desk restore FILE --facility {code} (only if that is this facility)."),
    "wrong_facility": (
        "This backup belongs to {name} ({code}), not to this facility ({expected}). Nothing was "
        "replaced. Choose a backup of this facility."),
    "sync_running": (
        "A sync with the state server is running on this data folder. Nothing was replaced: wait a few "
        "minutes for it to finish, then restore again."),
    "restored_copy_failed": "The restored copy did not pass its check: {problem}. Nothing was replaced.",
    "backup_folder_full": "There is no space left in {folder}: the backup was not written. {problem}",
    "backup_not_written": "The backup could not be written to {folder}: {problem}",
    "backup_disk_full": (
        "There is no space left in {folder}: the disk is full, and nothing was written. Free some space, "
        "or use another folder or USB stick."),
    "backup_io_error": (
        "The disk holding {folder} could not be read or written (an I/O error; it is not full): nothing "
        "was written. The disk or USB stick may be failing or was pulled out: check it, or use another "
        "one."),
    "backup_read_only": (
        "The folder {folder} cannot be written (read-only or no permission): nothing was written. "
        "Check the USB stick's write-protect switch or the folder's permissions."),
    "backup_folder_unusable": (
        "The folder {folder} cannot be used ({reason}). Check that the USB stick or network drive is "
        "connected."),
    # -- CSV files: the catalogue (ihms_desk/store/catalogue.py) and challans (ihms_desk/cli) --
    "file_not_utf8": "The file is not UTF-8 text. Save it from Excel as 'CSV UTF-8'.",
    "challan_not_utf8": "The challan file is not UTF-8 text. Save it as 'CSV UTF-8'.",
    "catalogue_not_utf8": "The catalogue file is not UTF-8 text. Save it as 'CSV UTF-8'.",
    "cannot_read_file": "Cannot read {path}: {reason}",
    "catalogue_columns_missing": "The file has no column {missing}. Expected columns: {expected}.",
    "challan_columns_missing": (
        "The challan has no column {missing}. Needed: {needed} (optional: manufacturer, unit_cost, "
        "voucher_no, voucher_date)."),
    "row_unreadable": "Row {row} cannot be read as CSV: {error}.",
    "row_has_more_fields": "row has more fields than the header",
    "row_more_fields": "Row {row} has more fields than the header.",
    "row_code_repeats": "code {code} repeats row {row}",
    "row_quantity_not_whole": "Row {row}: quantity '{text}' is not a whole number.",
    "challan_rows_refused": (
        "{count} row(s) of the challan are wrong, and nothing was saved. Correct them in the file and "
        "import it again:\n{rows}"),
    "challan_row": "row {row}: {reason}",
    "challan_more_rows": "... and {n} more row(s): correct these first, then import again to see them.",
    "quantity_not_whole": "quantity '{text}' is not a whole number (write 20000 or 20,000)",
    "challan_separator": (
        "The challan's columns are separated by {separator}, which is not read here: save it from "
        "Excel as 'CSV UTF-8 (comma delimited)', or separate the columns with commas (,) or semicolons (;)."),
    "challan_separators_mixed": (
        "it is separated by {found}, but the header by {separator}: save the whole file again from "
        "Excel as 'CSV UTF-8'"),
    "row_voucher_differs_here": "{column} differs from earlier rows; one challan per file",
    "row_voucher_differs": "Row {row}: {column} differs from earlier rows; one challan per file.",
    "challan_has_no_lines": "The challan file has no lines.",
    "column_control_characters": "{column} contains control characters",
    "column_invisible_character": "{column} contains an invisible character (such as a right-to-left mark or a zero-width space)",
    "column_empty": "{column} is empty",
    "column_too_long": "{column} is longer than {n} characters",
    "bad_item_code": "code '{code}' must be 1-20 letters, digits or . _ / -",
    "bad_category": "category '{category}' must be one of {categories}",
    "bad_min_stock": "min_stock '{text}' must be a whole number, 0 or more",
    "bad_active": "active '{text}' must be 1 or 0",
    # -- barcodes (ihms_desk/barcode.py) -------------------------------------------------------
    "scan_empty": "The scan is empty.",
    "scan_no_gs1": "The scan has no GS1 data.",
    "scan_not_gs1": "This barcode ({symbology}) carries no GS1 data: scan the GS1 DataMatrix on the pack.",
    "scan_unknown_ai_at": (
        "The scan has an application identifier this program does not know at '{text}'. Check that "
        "the scanner sends the group separator (GS), or type the fields by hand."),
    "scan_unknown_ai": "({ai}) is not an application identifier this program knows.",
    "scan_ends_early": "AI ({ai}) {title} needs {length} characters; the scan ends early.",
    "scan_no_separator": (
        "AI ({ai}) {title} is longer than {maximum} characters: the group separator (GS) after it is "
        "missing. Set the scanner to send GS, or type the fields by hand."),
    "scan_wrong_length": "AI ({ai}) {title} needs {length} characters, not {found}.",
    "scan_too_long": "AI ({ai}) {title} is longer than {maximum} characters.",
    "scan_unreadable_text": "Cannot read '{text}' in the bracketed barcode text.",
    "scan_repeated": "AI ({ai}) {title} appears twice with different values.",
    "scan_not_digits": "AI ({ai}) {title} must be digits, not '{text}'.",
    "scan_element_empty": "AI ({ai}) {title} is empty.",
    "scan_control_characters": "AI ({ai}) {title} contains control characters.",
    "scan_date_not_six_digits": "AI ({ai}) date '{text}' is not six digits YYMMDD.",
    "scan_date_bad_month": "AI ({ai}) date '{text}' has month {month}: not a date.",
    "scan_date_bad_day": "AI ({ai}) date '{text}' has day {day}: not a date.",
    "gtin_bad_length": "'{text}' is not a GTIN: a GTIN has 8, 12, 13 or 14 digits.",
    "gtin_bad_check_digit": (
        "GTIN {gtin} has a wrong check digit (expected {expected}): the scan was misread. Scan the pack "
        "again."),
    # -- reports and their files (ihms_desk/store/reports, ihms_desk/exports) -------------------
    "unknown_report": "There is no report '{name}'. The reports are: {known}.",
    "bad_start_date": "The start date '{text}' is not a date: type it as dd-mm-yyyy.",
    "bad_end_date": "The end date '{text}' is not a date: type it as dd-mm-yyyy.",
    "period_reversed": "The period starts on {start}, after its end on {end}: swap the two dates.",
    "period_in_future": "The period ends on {end}, after today ({today}): choose an end date up to today.",
    "period_too_long": "This report covers at most {limit} days at a time; {days} were asked. Choose a shorter period.",
    "unknown_category": "There is no category '{category}'. The categories are: {known}.",
    "unknown_item_code": "Item '{code}' is not in the catalogue: check the code.",
    "unknown_format": "'{format}' is not a file format for reports: use {known}.",
    "unknown_language": "'{language}' is not a language of IHMS Desk: use {known}.",
    "cannot_write": "The report cannot be written to {path} ({reason}). Choose another folder or file name.",
    "is_a_folder": "{path} is a folder: give a file name, for example {path}/report.{format}.",
    "report_cancelled": "The report was stopped before it was finished.",
    # -- the command line (ihms_desk/cli) ------------------------------------------------------
    "no_password": "No password: type it at a terminal or set {env}.",
    "no_database": "There is no IHMS Desk database in {folder}. Run 'ihms-desk init' (or 'ihms-desk demo') first.",
    "say_who": "Say who is doing this with --user NAME.",
    "option_missing": "{label} is missing: give it as an option (see ihms-desk init --help).",
    "demo_days": "--days is a number of days of history, from 0 to 366.",
    "voucher_needed": "Give the challan's number and date: --voucher-no and --voucher-date (or columns in the file).",
    "report_name_missing": (
        "Say which report: ihms-desk report NAME --from DD-MM-YYYY --to DD-MM-YYYY --out FILE. "
        "The reports are: {known} (ihms-desk report --list says what each holds)."),
    "report_option_missing": (
        "{option} is missing: ihms-desk report {name} --from DD-MM-YYYY --to DD-MM-YYYY --out FILE "
        "[--format csv|xlsx|pdf] [--lang hi]."),
    "cli_report_written": "Written: {path} ({report}, {start} to {end}).",
    "cli_refused": "Refused, nothing was saved: {message}",
    "cli_problem": "Problem: {message}",
    "cli_stopped": "Stopped.",
    "cli_row_refused": "  row {row}: {reason}",
    "cli_catalogue_row_refused": "  catalogue row {row} refused: {reason}",
    "cli_catalogue_imported": "{added} items added, {updated} updated, {refused} rows refused.",
    "cli_receipt_saved": "Saved {number}: {lines} lines, {units} units.",
    "cli_catalogue_added": "Catalogue: {added} items added.",
    "cli_set_up": "Set up {name} ({code}) in {folder}",
    "cli_demo_building": "Building the demo CHC in {folder} ...",
    "cli_demo_ready": "Demo ready. Accounts: {accounts}; password: {password}",
    "cli_doctor_ok": "OK: {path} is sound (events pending {pending}, sent {sent}, set aside {set_aside}).",
    "cli_backup_written": "Backup written: {path}",
    "cli_backup_warning": "Warning: {problem}",
    "cli_restored": "Restored {code} from {path} ({documents} documents). Sync continues with epoch {epoch}.",
    "cli_replaced_kept": "The database it replaced is kept as {path}",
    "cli_compacting": "Making the database smaller: this takes a few minutes on a large file; do not switch the PC off ...",
    "cli_compacted": "Done: the database went from {before} MB to {after} MB.",
    "cli_sync_not_enrolled": "Not enrolled with a state server yet (ihms-desk sync --enrol URL CODE).",
    "cli_sync_server": "Server: {server} ({state})",
    "cli_sync_waiting": "Waiting to be sent: {waiting}; set aside by the server: {set_aside}",
    "cli_sync_last_success": "Last complete sync: {when}",
    "cli_sync_last_delivery": "Last delivery: {when}; delivered in the last hour: {n}",
    "cli_sync_next_try": "Next try: {when}",
    "cli_sync_resent": (
        "{n} records are offered again under a fresh epoch (this desk was restored, copied, or clashed "
        "with another copy of itself)."),
    "cli_take_over": (
        "This PC takes the desk over under epoch {epoch} at the next sync; another copy of it still in "
        "use is refused from then on."),
    "cli_sync_last_error": "Last error: {error}",
    "cli_sync_clock": "PC clock vs server: {skew} s",
    "cli_sync_clock_wrong": "PC clock vs server: {skew} s  <- this PC's clock is wrong; please correct it",
    "cli_sync_set_aside": "  set aside: {number} ({type}, sequence {sequence}): {reason}",
    "cli_sync_outcome": (
        "Sent {sent} (already on the server: {duplicates}), set aside {set_aside}, still waiting {waiting}; "
        "catalogue changes {catalogue}."),
    "cli_sync_not_finished": "Not finished: {error}",
    "cli_not_enrolled": "Not enrolled: {error}",
    "cli_nothing_touched": "Nothing waiting on this PC was touched.",
    "cli_enrolled": "Enrolled {name} ({code}) with {server}; device {device}.",
    "cli_syncing": "Syncing {folder} until stopped (Ctrl+C).",
    # -- the screens' own checks before they ask the store (ihms_desk/ui) ----------------------
    "choose_item": "Choose the item first.",
    "choose_item_or_scan": "Choose the item (type its name or code, or scan the pack).",
    "choose_batch": "Choose the batch.",
    # -- going live: the facility package, the facility list, users from a CSV (issue 16) -----
    "package_unreadable": "This file is not a facility package, or it is damaged. Open the .ihms-package file the district gave.",
    "package_incomplete": "This facility package is incomplete. Ask the district for a new one.",
    "package_plain_http": (
        "This facility package names the server {server}, in plain http://: the desk's records "
        "would cross the line unencrypted. Ask the district for a package with the server's "
        "https:// address."),
    "package_too_new": "This facility package is of a newer kind ({version}) than this IHMS Desk reads. Install the newer IHMS Desk, or choose the facility from the list.",
    "package_key_unknown": "This facility package is signed with a key ({key_id}) this IHMS Desk does not know. Install the state's current IHMS Desk, or ask the district for a new package.",
    "package_signature_bad": "This facility package was changed after the state signed it, so it cannot be trusted. Ask the district for a new one.",
    "package_cannot_open": "The file {path} cannot be read. Is the USB stick still in? Open it again.",
    "package_no_keys": "This IHMS Desk has no state key to check facility packages with. Choose the facility from the list, or install the state's IHMS Desk.",
    "package_expired": "The enrolment code in this package expired on {on}. The facility is filled in all the same; ask the district for a new code and enter it on the Sync screen.",
    "choose_facility": "Choose the facility from the list (district, block, facility), or open the facility package.",
    "facility_fixed_after_sync": "The facility code can no longer be changed: this desk has synced with the state server as {code} (since {since}). If {code} is wrong, the district must withdraw this desk and set up a new one.",
    "facility_unchanged": "This is already the facility ({code}): nothing to change.",
    "passwords_differ": "The two passwords are not the same. Type the password again in both fields.",
    "users_csv_columns_missing": "The users file lacks the column(s) {missing}. It needs: {needed}.",
    "users_csv_empty": "The users file has no users in it.",
    "role_unknown": "'{role}' is not a role: write pharmacist, store_clerk or in_charge.",
}

#: Sync failures (ihms_desk/sync: errors.py, client.py, device.py, worker.py), in the order
#: :func:`ihms_desk.sync.errors.identify` tries them on a recorded message: the first template
#: that matches wins, so a particular one comes before a general one.
SYNC_MESSAGES: dict[str, str] = {
    "not_enrolled": (
        "This desk is not enrolled with the state server yet. On the Sync screen (or with "
        "'ihms-desk sync --enrol URL CODE') enter the server address and the enrolment code from "
        "the district."),
    "enrolment_code_missing": "Type the enrolment code the district gave you.",
    "enrolment_code_other_facility": (
        "This enrolment code was issued for facility {code_facility}, but this desk is set up as facility "
        "{desk_facility}. If this desk's facility code is wrong, correct it in Settings (possible until the "
        "first sync); if the code is for another facility, ask the district for this facility's code."),
    "enrolment_code_unknown": (
        "The server does not know this enrolment code. Check it letter by letter, or ask the district for a "
        "new code."),
    "enrolment_code_revoked": "This enrolment code was withdrawn by the district on {on}. Ask the district for a new code.",
    "enrolment_code_used": (
        "This enrolment code was already used on {on} by another desk of this facility. Ask the district for "
        "a new code for this desk."),
    "enrolment_code_expired": "This enrolment code expired on {on}. Ask the district for a new code.",
    "enrolment_code_refused": (
        "This enrolment code is wrong, already used or expired for this facility. Ask the "
        "district for a new code."),
    "enrolment_refused": "The enrolment code was refused.",
    "enrolment_too_many_attempts": (
        "The server refused to check more enrolment codes for now: too many wrong ones were tried. "
        "Wait {minutes} minutes, then type the code again carefully, letter by letter."),
    "not_a_server_address": (
        "'{address}' is not a server address. Type it as the district gave it, for example "
        "https://ihms.rajasthan.gov.in"),
    "plain_http_refused": (
        "The address {address} starts with http://, which would send this desk's records and its "
        "key to the server unencrypted, readable by anybody on the line. Type the address the "
        "district gave, starting with https://"),
    "server_unreachable": (
        "Cannot reach the server {server}: the line may be down or the address wrong. Records "
        "stay safe on this PC and will be sent later."),
    "timed_out": "The server {server} did not answer in time.",
    "certificate_not_trusted": (
        "The server {server} did not prove who it is (its TLS certificate did not verify). Check "
        "the address, and that this PC's date and time are right. Details: {details}"),
    "redirected": (
        "The address {server} sends this desk on to {target} (HTTP {status}). Enrol again with "
        "the address the district gave, exactly as given (https://...)."),
    "not_ihms_server": (
        "The address {server} does not answer like an IHMS state server ({detail}). Check the "
        "address; a Wi-Fi login page can also cause this."),
    "server_trouble": "The server {server} has a problem (HTTP {status}); sync will try again.",
    "server_trouble_unexplained": "The server has a problem (HTTP {status}): no reason given. Sync will try again.",
    "server_trouble_reason": "The server has a problem (HTTP {status}): {reason}. Sync will try again.",
    "catalogue_stuck": (
        "The server sent catalogue changes without moving on past them; the item list may be out "
        "of date. Sync will try again; tell the district if this stays."),
    "vouchers_stuck": (
        "The server sent vouchers without moving on past them; issued vouchers may be missing here. "
        "Sync will try again; tell the district if this stays."),
    "version_mismatch": (
        "This desk speaks sync version {ours}; the server speaks {theirs}. Update IHMS Desk (or ask "
        "the district about the server). Records stay safe on this PC meanwhile."),
    "versions_differ": "This desk and the server speak different sync versions. {reason}",
    "token_missing": "This desk has no device token. Enrol it with the code from the district.",
    "token_rejected": (
        "The server no longer accepts this desk: {reason} Records stay safe on this PC; enrol "
        "again to send them."),
    "cursor_unknown": "The catalogue cursor is unknown.",
    "batch_too_large": "The server found a batch too large: {reason}",
    "request_refused": "The server refused the request ({code}): {reason}",
    "records_clash": (
        "Some records clashed with records the server already has from this device: this PC may "
        "be a copy of another desk, or restored from an old backup. They are sent again under "
        "epoch {epoch}, so nothing is lost; tell the district."),
    "superseded": (
        "This desk's records now come from another PC, {claimed_by}, which restored or copied "
        "this desk's data and took it over on {when} (epoch {epoch}); this PC holds an older copy. "
        "Records saved here stay on this PC and are not sent. If this PC is still used at the "
        "counter, ask the district for a new enrolment code and enrol it again: it then sends its "
        "records as a desk of its own. If this PC is the one to keep, run "
        "'ihms-desk sync --take-over'."),
    "local_problem": "This PC could not sync: {reason}",
    "sync_busy": (
        "Another sync of this data folder is running (the program or a scheduled task); this one "
        "waits for it."),
    "unexpected": "Sync failed unexpectedly ({error}); it will try again. The log file has the details.",
}
MESSAGES.update(SYNC_MESSAGES)
SYNC_KINDS: tuple[str, ...] = tuple(SYNC_MESSAGES)

#: Pieces that stand inside a message as a value (:class:`ihms_desk.wording.Label`).
LABELS: dict[str, str] = {
    # The store's fields, as check_text and parse_date name them (field.<name>).
    "field.code": "Facility code",
    "field.name": "Facility name",
    "field.district": "District",
    "field.block": "Block",
    "field.username": "User name",
    "field.full_name": "Full name",
    "field.opd_no": "OPD registration number",
    "field.patient_name": "Patient name",
    "field.prescriber": "Prescriber",
    "field.reason": "Reason for the reversal",
    "field.note": "Note",
    "field.destination_name": "Destination",
    "field.source_name": "Sender",
    "field.voucher_no": "Voucher or challan number",
    "field.batch": "Batch number",
    "field.manufacturer": "Manufacturer",
    "field.doc_date": "Document date",
    "field.short_expiry_reason": "Reason for taking short-expiry stock",
    # The separators a CSV file may have, as a refusal names them.
    "separator.comma": "commas (,)",
    "separator.semicolon": "semicolons (;)",
    "separator.tab": "tabs",
    "separator.pipe": "bars (|)",
    "separator.colon": "colons (:)",
    "separator.space": "spaces",
    "field.voucher_date": "Voucher date",
    # Roles, as a refusal names them.
    "field.start": "Start date",
    "field.end": "End date",
    "role.pharmacist": "pharmacist",
    "role.store_clerk": "store clerk",
    "role.in_charge": "in charge",
    "role.admin": "admin",
    # What a role may not do (the store's _require).
    "doing.receive": "record a receipt",
    "doing.dispense": "dispense medicines",
    "doing.write_off": "write off stock",
    "doing.adjust": "adjust stock",
    "doing.transfer": "transfer stock out",
    "doing.stocktake": "record a stocktake",
    "doing.reverse": "reverse a document",
    "doing.change_settings": "change settings",
    "doing.correct_facility": "correct the facility",
    "doing.create_users": "create user accounts",
    "doing.set_password": "change another user's password",
    "doing.disable_users": "disable user accounts",
    "doing.change_catalogue": "change the item catalogue",
    "doing.map_barcode": "map a barcode to an item",
    # What each setting's value must be.
    "setting.near_expiry_days": "a number of days from 1 to 730",
    "setting.low_stock_months": "a number of months from 0.1 to 24",
    "setting.correction_minutes": "a number of minutes from 0 to 240",
    "setting.backdate_days": "a number of days from 0 to 90",
    "setting.nightly_sync_time": "a time such as 21:00",
    "setting.min_stock_months": "a whole number of months from 1 to 12, below the maximum",
    "setting.max_stock_months": "a whole number of months from 2 to 24, above the minimum",
    "setting.backup_folder": "a folder path, or empty",
    "setting.language": "en or hi",
    "setting.text_size": "a text size from 9 to 16 points",
    # How the command line says the state of sync.
    "sync_state.online": "online",
    "sync_state.offline": "offline",
    "sync_state.not_tried": "not tried yet",
    "sync_state.never": "never",
    # Phrases that stand for a value inside a sync failure (client.py and worker.py write them).
    "sync.no_protocol_versions": "its health answer lists no protocol versions",
    "sync.results_do_not_match": "its results do not match the events sent",
    "sync.enrolment_without_token": "it answered the enrolment without a device token",
    "sync.not_one_result_per_event": "its answer to a batch does not list one result per event",
    "sync.catalogue_page_empty": "its catalogue page has no changes or cursor",
    "sync.web_page": "it answered with a web page (HTTP {status})",
    "sync.something_else": "it answered with something else (HTTP {status})",
    "sync.not_an_ihms_error": "its error answer (HTTP {status}) is not an IHMS one",
    "sync.token_unknown": "This device token is not known here. Enrol the desk again with a new enrolment code.",
    "sync.device_withdrawn": "This device has been withdrawn by the district. Ask them for a new enrolment code.",
}

# -- indents, vouchers and redistribution (issue 14: store/indents.py, store/vouchers.py) ----
MESSAGES.update({
    "indent_draft_empty": "The indent has no lines: add an item and its quantity, or work the suggestions again.",
    "indent_not_open": "Indent {number} is already closed or cancelled.",
    "voucher_not_found": "There is no voucher {number} on this desk. Sync pulls the vouchers the warehouse issued.",
    "nothing_received": "Nothing of voucher {number} is marked received. If nothing arrived, do not save a receipt; tell the warehouse.",
    "no_such_voucher_line": "Voucher {number} has no line {line}, or it was checked twice.",
    "choose_difference": "Line {line}: choose what differs: short, excess or damaged.",
    "bad_received_qty": "Line {line}: the quantity received is a whole number, 0 or more.",
    "difference_short": "Line {line}: short means fewer than the {sent} sent arrived (you typed {received}).",
    "difference_excess": "Line {line}: excess means more than the {sent} sent arrived (you typed {received}).",
    "difference_damaged": "Line {line}: damaged means fewer than the {sent} sent are usable (you typed {received}).",
    "suggestion_not_found": "The suggestion {id} is no longer open: it was acted on, or the district withdrew it.",
    "voucher_withdrawn": (
        "{sender} reversed transfer {number} on {date} ({reversal}): the voucher is withdrawn and cannot be "
        "received. If the stock came all the same, keep it aside and tell {sender} and the district: it goes "
        "back by a transfer."),
})
LABELS.update({
    "field.close_reason": "Why it is closed",
    "field.difference_reason": "Reason for the difference",
    "doing.indent": "prepare an indent",
    "doing.approve_indent": "approve an indent",
    "setting.emergency_order_months": "a number of months from 0.1 to 12",
})
