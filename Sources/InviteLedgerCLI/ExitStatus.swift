/// The exit statuses README.md lists: 0 success, 1 usage, 2 rejected, 3 some lines rejected, 4 verification failed, 5 the database cannot be used.
enum ExitStatus: Int32 {
    case success = 0
    case usage = 1
    case rejected = 2
    case someLinesRejected = 3
    case verificationFailed = 4
    case databaseError = 5
}
