// @azure/msal-node as shipped, against the sandbox: prints {"token": ...} or {"error": ...}.
// usage: node token.mjs AUTHORITY CLIENT_ID SCOPE (secret VALUE | certificate PEM_PATH)
// Trust for the sandbox's CA comes from NODE_EXTRA_CA_CERTS; knownAuthorities keeps msal-node
// from asking login.microsoftonline.com for cloud instance metadata.
import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";

const [authority, clientId, scope, kind, value] = process.argv.slice(2);
const auth = { clientId, authority, knownAuthorities: [new URL(authority).host] };
if (kind === "secret") {
  auth.clientSecret = value;
} else {
  const pem = readFileSync(value, "utf8");
  const thumbprintSha256 = new X509Certificate(pem).fingerprint256.replaceAll(":", "");
  auth.clientCertificate = { thumbprintSha256, privateKey: pem };
}

try {
  const app = new ConfidentialClientApplication({ auth });
  const result = await app.acquireTokenByClientCredential({ scopes: [scope] });
  console.log(JSON.stringify({ token: result.accessToken }));
} catch (error) {
  console.log(JSON.stringify({ error: `${error.errorCode ?? error.name}: ${error.message}` }));
}
