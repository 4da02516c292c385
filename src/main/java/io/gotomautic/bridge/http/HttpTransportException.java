package io.gotomautic.bridge.http;

/** No HTTP answer: connection refused or reset, or no answer within the timeout. Always worth a retry later. */
public class HttpTransportException extends RuntimeException {

    public HttpTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
