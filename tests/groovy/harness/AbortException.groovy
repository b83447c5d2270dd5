package mlsecops.harness

/** What Jenkins' error step (hudson.AbortException) throws: fails the build with a message. */
class AbortException extends RuntimeException {

    AbortException(String message) {
        super(message)
    }

}
