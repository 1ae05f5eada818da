import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useAction } from '../components/use-load';
import { ErrorMessage, Field, PageTitle } from '../components/ui';

/**
 * A request file as pasted or read: a compact JWS has no white space, so every space and line break a
 * terminal, an editor or an e-mail added is dropped.
 */
function requestFileText(text: string): string {
  return text.replace(/\s+/g, '');
}

/** Offline activation: the request file a server without internet wrote, in exchange for its license file. */
export function OfflinePage() {
  const [request, setRequest] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [licenseUrl, setLicenseUrl] = useState<string>();
  const { pending, error, run } = useAction();
  useEffect(
    () => () => {
      if (licenseUrl) URL.revokeObjectURL(licenseUrl);
    },
    [licenseUrl],
  );

  async function choose(file: File | undefined) {
    setFileName(file?.name);
    setRequest(file ? requestFileText(await file.text()) : '');
  }
  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await run(async () => unwrap(await api.POST('/v1/offline-activations', { body: { request: requestFileText(request) } })));
    if (answer) setLicenseUrl(URL.createObjectURL(new Blob([`${answer.token}\n`], { type: 'application/jwt' })));
  }
  return (
    <section className="narrow">
      <PageTitle title="Offline activation">Offline activation</PageTitle>
      <ol>
        <li>
          On the server, write a request file: <code>licensectl request-file &lt;key&gt; --out request.jwt</code>.
        </li>
        <li>Upload it here (within 7 days; each file works once).</li>
        <li>
          Download the license file and import it on the server: <code>licensectl import-file license.jwt</code>.
        </li>
      </ol>
      <form onSubmit={submit}>
        <Field label="Request file">{(props) => <input {...props} type="file" accept=".jwt,.txt,application/jwt,text/plain" onChange={(event) => void choose(event.target.files?.[0])} />}</Field>
        <Field label="…or paste its contents">
          {(props) => <textarea {...props} rows={4} spellCheck={false} value={request} onChange={(event) => setRequest(event.target.value)} />}
        </Field>
        <ErrorMessage error={error} fields={{ request: 'Paste the whole request file: one line of letters, digits, dots, dashes and underscores.' }} />
        <button className="primary" disabled={pending || !request}>
          {pending ? 'Activating…' : 'Get the license file'}
        </button>
      </form>
      {licenseUrl && (
        <p role="status" className="success">
          The license file is ready{fileName ? ` for ${fileName}` : ''}:{' '}
          <a href={licenseUrl} download="license.jwt">
            Download license.jwt
          </a>
        </p>
      )}
    </section>
  );
}
