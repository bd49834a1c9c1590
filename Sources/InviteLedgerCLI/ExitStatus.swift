/// The exit statuses of SPEC section 7, plus 5 for a database that cannot be used.
enum ExitStatus: Int32 {
    case success = 0
    case usage = 1
    case rejected = 2
    case someLinesRejected = 3
    case verificationFailed = 4
    case databaseError = 5
}
