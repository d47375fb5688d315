/** One error of a collections save result (the subset the text needs). */
export interface SaveErrorLike {
  statusCode: string;
  message: string;
  fields?: string[] | undefined;
}

/**
 * The message of a refused record, said once: the failure already carries the first error's code, so
 * that code is not repeated in front of it, and the fields are added only when the message does not
 * already name them (Salesforce's own REQUIRED_FIELD_MISSING text does: `Required fields are missing:
 * [Company]`). Further errors keep their own code.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
 */
export function saveErrorText(errors: readonly SaveErrorLike[]): string {
  return errors
    .map((error, index) => {
      const fields = (error.fields ?? []).filter((field) => !error.message.includes(field));
      const text = `${error.message}${fields.length ? ` [${fields.join(', ')}]` : ''}`;
      return index === 0 ? text : `${error.statusCode}: ${text}`;
    })
    .join('; ');
}
