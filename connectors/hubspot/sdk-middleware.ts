/** The part of the SDK's ResponseContext the middleware touches. */
interface SdkResponse {
  httpStatusCode: number;
  headers: Record<string, string>;
}

/**
 * The SDK's typed methods parse an error answer by its Content-Type, and one that names none (an empty 503
 * from a proxy, a bare 429) made them throw a plain Error that had lost the status, so `classify` filed
 * a passing outage as a permanent failure. Labelling such an answer `text/plain` lets the SDK throw its
 * ApiException with the status and headers, which `classify` reads like any other.
 */
export const labelUntypedErrorAnswers = {
  pre: (context: unknown): unknown => context,
  post: (context: unknown): unknown => {
    const response = context as SdkResponse;
    if (response.httpStatusCode >= 300 && !response.headers['content-type'])
      response.headers['content-type'] = 'text/plain';
    return response;
  },
};
