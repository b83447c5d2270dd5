package mlsecops.harness

/** What Jenkins' error step throws (hudson.AbortException, an IOException): fails the build with a message. */
class AbortException extends IOException {

    AbortException(String message) {
        super(message)
    }

}
