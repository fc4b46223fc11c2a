import * as assert from "node:assert/strict";
import { EndpointReference, findEndpointReferences, forDisplay } from "../../detect";

/** One expected finding: the text, the span (given as the exact substring, which must occur once) and what it reaches. */
interface Positive {
  readonly text: string;
  readonly match: string;
  readonly endpoint: string;
  readonly endpointId: string | undefined;
  readonly severity?: "error" | "warning";
  /** Words the spelling must contain, so the message says how it was written. */
  readonly spelling?: string;
}

const IMDS = { endpoint: "169.254.169.254", endpointId: "aws-imds" } as const;
const GCP = { endpoint: "metadata", endpointId: "gcp-metadata" } as const;

const POSITIVES: readonly Positive[] = [
  // IPv4 numbers-and-dots, as WHATWG URL and inet_aton read them.
  { text: "curl http://169.254.169.254/latest/meta-data/", match: "169.254.169.254", ...IMDS, spelling: "dotted IPv4" },
  { text: "GET http://0xa9fea9fe/latest/", match: "0xa9fea9fe", ...IMDS, spelling: "hex integer" },
  { text: "GET http://0XA9FEA9FE/latest/", match: "0XA9FEA9FE", ...IMDS, spelling: "hex integer" },
  { text: "GET http://0x00000a9fea9fe/", match: "0x00000a9fea9fe", ...IMDS, spelling: "hex integer" },
  { text: "GET http://2852039166/latest/", match: "2852039166", ...IMDS, spelling: "integer IPv4" },
  { text: "GET http://025177524776/", match: "025177524776", ...IMDS, spelling: "octal integer" },
  { text: "url: http://0251.0376.0251.0376/", match: "0251.0376.0251.0376", ...IMDS, spelling: "octal IPv4" },
  { text: "url: http://0000251.00376.000251.0376/", match: "0000251.00376.000251.0376", ...IMDS, spelling: "octal" },
  { text: "url: http://0xa9.0xfe.0xa9.0xfe/", match: "0xa9.0xfe.0xa9.0xfe", ...IMDS, spelling: "hex IPv4" },
  { text: "url: http://0xA9.0XFE.0x0a9.0Xfe/", match: "0xA9.0XFE.0x0a9.0Xfe", ...IMDS, spelling: "hex IPv4" },
  { text: "url: http://0xa9.254.0251.0xfe/", match: "0xa9.254.0251.0xfe", ...IMDS, spelling: "mixed-radix" },
  { text: "url: http://169.254.43518/", match: "169.254.43518", ...IMDS, spelling: "3-part" },
  { text: "url: http://0251.0376.0124776/", match: "0251.0376.0124776", ...IMDS, spelling: "3-part" },
  { text: "url: http://169.16689662/", match: "169.16689662", ...IMDS, spelling: "2-part" },
  { text: "url: http://0xa9.077524776/", match: "0xa9.077524776", ...IMDS, spelling: "2-part" },
  { text: "url: http://169.254.169.254./", match: "169.254.169.254.", ...IMDS, spelling: "trailing dot" },
  { text: "url: http://0169.0254.0169.0254/", match: "0169.0254.0169.0254", ...IMDS, spelling: "leading zeros" },
  { text: "url: http://425.510.425.510/", match: "425.510.425.510", ...IMDS, spelling: "wrapping" },
  { text: "url: http://4294967465.4294967550.4294967465.4294967550/", match: "4294967465.4294967550.4294967465.4294967550", ...IMDS, spelling: "wrapping" },
  { text: "url: http://7147006462/", match: "7147006462", ...IMDS, spelling: "wrapping" },
  { text: "url: http://0x1a9fea9fe/", match: "0x1a9fea9fe", ...IMDS, spelling: "wrapping" },
  { text: "addr = 169.254.169.254", match: "169.254.169.254", ...IMDS },
  // A bare number where a host stands.
  { text: "wget -q -O- 2852039166", match: "2852039166", ...IMDS },
  { text: "nc 0xa9fea9fe 80", match: "0xa9fea9fe", ...IMDS },
  { text: "Invoke-WebRequest -Uri 2852039166", match: "2852039166", ...IMDS },
  { text: "r = requests.get('2852039166')", match: "2852039166", ...IMDS },
  { text: "http.get(\"0xa9fea9fe\", (res) => res.pipe(out));", match: "0xa9fea9fe", ...IMDS },
  { text: "curl -s \\\n  2852039166/latest/meta-data/", match: "2852039166", ...IMDS },
  { text: "curl -H 'Host: 2852039166' http://example.com/", match: "2852039166", ...IMDS },
  { text: "headers: {\"Host\": \"0xa9fea9fe\"}", match: "0xa9fea9fe", ...IMDS },
  { text: "open http://user:pass@2852039166/x", match: "2852039166", ...IMDS },
  { text: "see http:2852039166/latest", match: "2852039166", ...IMDS },
  { text: "see http:\\\\2852039166\\latest", match: "2852039166", ...IMDS },
  // Userinfo and parser confusion.
  { text: "url: http://good.com@169.254.169.254/", match: "169.254.169.254", ...IMDS },
  { text: "url: http://169.254.169.254#@good.com", match: "169.254.169.254", ...IMDS },
  { text: "url: http://good.com;@169.254.169.254/", match: "169.254.169.254", ...IMDS },
  { text: "url: http://169.254.169.254\\@good.com/", match: "169.254.169.254", ...IMDS },
  { text: "url: http://good.com#@0xa9fea9fe/", match: "0xa9fea9fe", ...IMDS },
  { text: "url: http://169.254.\t169.254/", match: "169.254.\t169.254", ...IMDS, spelling: "tab or newline" },
  { text: "url: http://169.254.169.\n254/latest", match: "169.254.169.\n254", ...IMDS, spelling: "tab or newline" },
  // Encodings.
  { text: "url: http://%31%36%39.%32%35%34.%31%36%39.%32%35%34/", match: "%31%36%39.%32%35%34.%31%36%39.%32%35%34", ...IMDS, spelling: "percent-encoded" },
  { text: "url: http://%2531%2536%2539.254.169.254/", match: "%2531%2536%2539.254.169.254", ...IMDS, spelling: "double percent-encoded" },
  { text: "url: http://169%2E254%2E169%2E254/", match: "169%2E254%2E169%2E254", ...IMDS, spelling: "percent-encoded" },
  { text: "url: http://%u0031%u0036%u0039.254.169.254/", match: "%u0031%u0036%u0039.254.169.254", ...IMDS, spelling: "percent-encoded" },
  { text: "url: http://１６９．２５４．１６９．２５４/", match: "１６９．２５４．１６９．２５４", ...IMDS, spelling: "Unicode" },
  { text: "url: http://①⑥⑨。②⑤④。①⑥⑨。②⑤④/", match: "①⑥⑨。②⑤④。①⑥⑨。②⑤④", ...IMDS, spelling: "Unicode" },
  { text: "url: http://169｡254｡169｡254/", match: "169｡254｡169｡254", ...IMDS, spelling: "Unicode" },
  { text: "url: http://𝟏𝟔𝟗.𝟐𝟓𝟒.𝟏𝟔𝟗.𝟐𝟓𝟒/", match: "𝟏𝟔𝟗.𝟐𝟓𝟒.𝟏𝟔𝟗.𝟐𝟓𝟒", ...IMDS, spelling: "Unicode" },
  { text: "url: http://1\u200b69.254.1\u200d69.254/", match: "1\u200b69.254.1\u200d69.254", ...IMDS, spelling: "zero-width" },
  { text: "url: http://169.2\u00ad54.169.254/", match: "169.2\u00ad54.169.254", ...IMDS, spelling: "zero-width" },
  { text: "url: http://%EF%BC%91%EF%BC%96%EF%BC%99.254.169.254/", match: "%EF%BC%91%EF%BC%96%EF%BC%99.254.169.254", ...IMDS },
  { text: "{\"url\":\"http:\\/\\/\\u0031\\u0036\\u0039.254.169.254\\/\"}", match: "\\u0031\\u0036\\u0039.254.169.254", ...IMDS, spelling: "escaped" },
  { text: "url: \"http://\\x31\\x36\\x39.254.169.254/\"", match: "\\x31\\x36\\x39.254.169.254", ...IMDS, spelling: "escaped" },
  { text: "url: \"http://\\U00000031\\U00000036\\U00000039.254.169.254/\"", match: "\\U00000031\\U00000036\\U00000039.254.169.254", ...IMDS, spelling: "escaped" },
  { text: "printf '\\061\\066\\071.254.169.254'", match: "\\061\\066\\071.254.169.254", ...IMDS, spelling: "escaped" },
  { text: "<a href=\"http://&#49;&#54;&#x39;.254.169.254/\">", match: "&#49;&#54;&#x39;.254.169.254", ...IMDS, spelling: "HTML" },
  {
    text: "echo Y3VybCBodHRwOi8vMTY5LjI1NC4xNjkuMjU0L2xhdGVzdC9tZXRhLWRhdGEv | base64 -d | sh",
    match: "Y3VybCBodHRwOi8vMTY5LjI1NC4xNjkuMjU0L2xhdGVzdC9tZXRhLWRhdGEv",
    ...IMDS,
    spelling: "base64",
  },
  {
    text: `userData: |\n  ${Buffer.from("#!/bin/sh\nTOKEN=$(curl -s -X PUT http://0xa9fea9fe/latest/api/token)\necho done\n").toString("base64").match(/.{1,24}/g)!.join("\n  ")}\nnext: 1`,
    match: Buffer.from("#!/bin/sh\nTOKEN=$(curl -s -X PUT http://0xa9fea9fe/latest/api/token)\necho done\n").toString("base64").match(/.{1,24}/g)!.join("\n  "),
    ...IMDS,
    spelling: "base64",
  },
  {
    text: `powershell -EncodedCommand ${Buffer.from("iwr http://169.254.169.254/latest/", "utf16le").toString("base64")}`,
    match: Buffer.from("iwr http://169.254.169.254/latest/", "utf16le").toString("base64"),
    ...IMDS,
    spelling: "base64",
  },
  // IPv6.
  { text: "url: http://[::ffff:169.254.169.254]/", match: "[::ffff:169.254.169.254]", ...IMDS, spelling: "IPv4-mapped" },
  { text: "url: http://[::ffff:a9fe:a9fe]/", match: "[::ffff:a9fe:a9fe]", ...IMDS, spelling: "IPv4-mapped" },
  { text: "url: http://[0:0:0:0:0:ffff:a9fe:a9fe]/", match: "[0:0:0:0:0:ffff:a9fe:a9fe]", ...IMDS, spelling: "IPv4-mapped" },
  { text: "url: http://[0000:0000:0000:0000:0000:FFFF:A9FE:A9FE]/", match: "[0000:0000:0000:0000:0000:FFFF:A9FE:A9FE]", ...IMDS },
  { text: "url: http://[::a9fe:a9fe]/", match: "[::a9fe:a9fe]", ...IMDS, spelling: "IPv4-compatible" },
  { text: "addr ::169.254.169.254 here", match: "::169.254.169.254", ...IMDS, spelling: "IPv4-compatible" },
  { text: "url: http://[::ffff:0:a9fe:a9fe]/", match: "[::ffff:0:a9fe:a9fe]", ...IMDS, spelling: "IPv4-translated" },
  { text: "url: http://[64:ff9b::169.254.169.254]/", match: "[64:ff9b::169.254.169.254]", ...IMDS, spelling: "NAT64" },
  { text: "url: http://[64:ff9b::a9fe:a9fe]/", match: "[64:ff9b::a9fe:a9fe]", ...IMDS, spelling: "NAT64" },
  { text: "url: http://[64:ff9b:1::a9fe:a9fe]/", match: "[64:ff9b:1::a9fe:a9fe]", ...IMDS, spelling: "local-use NAT64" },
  { text: "url: http://[64:ff9b:1:a9fe:a9:fea9:fe00:0]/", match: "[64:ff9b:1:a9fe:a9:fea9:fe00:0]", ...IMDS, spelling: "local-use NAT64" },
  { text: "url: http://[2002:a9fe:a9fe::]/", match: "[2002:a9fe:a9fe::]", ...IMDS, spelling: "6to4" },
  { text: "url: http://[2002:a9fe:a9fe:1::1]/", match: "[2002:a9fe:a9fe:1::1]", ...IMDS, spelling: "6to4" },
  { text: "url: http://[2001:0:4136:e378:8000:63bf:5601:5601]/", match: "[2001:0:4136:e378:8000:63bf:5601:5601]", ...IMDS, spelling: "Teredo" },
  { text: "url: http://[::ffff:a9fe:a9fe%25eth0]/", match: "[::ffff:a9fe:a9fe%25eth0]", ...IMDS, spelling: "zone id" },
  { text: "url: http://[fd00:ec2::254]/latest/", match: "[fd00:ec2::254]", endpoint: "fd00:ec2::254", endpointId: "aws-imds" },
  { text: "url: http://[FD00:0EC2:0:0:0:0:0:0254]/", match: "[FD00:0EC2:0:0:0:0:0:0254]", endpoint: "fd00:ec2::254", endpointId: "aws-imds" },
  { text: "ping6 fd00:ec2::254%eth0", match: "fd00:ec2::254%eth0", endpoint: "fd00:ec2::254", endpointId: "aws-imds", spelling: "zone id" },
  { text: "url: http://[fd00:ec2::254%25eth0]/", match: "[fd00:ec2::254%25eth0]", endpoint: "fd00:ec2::254", endpointId: "aws-imds" },
  { text: "url: http://[fd00:ec2::23]/v1/credentials", match: "[fd00:ec2::23]", endpoint: "fd00:ec2::23", endpointId: "aws-eks-pod-identity" },
  { text: "url: http://[fd20:ce::254]/computeMetadata/", match: "[fd20:ce::254]", endpoint: "fd20:ce::254", endpointId: "gcp-metadata-ipv6" },
  { text: "url: http://[fd00:42::42]/conf", match: "[fd00:42::42]", endpoint: "fd00:42::42", endpointId: "scaleway-metadata" },
  // Host names.
  { text: "url: http://metadata.google.internal/computeMetadata/v1/", match: "metadata.google.internal", endpoint: "metadata.google.internal", endpointId: "gcp-metadata" },
  { text: "url: http://METADATA.Google.INTERNAL./x", match: "METADATA.Google.INTERNAL.", endpoint: "metadata.google.internal", endpointId: "gcp-metadata", spelling: "trailing dot" },
  { text: "resolver lookup metadata.google.internal", match: "metadata.google.internal", endpoint: "metadata.google.internal", endpointId: "gcp-metadata" },
  { text: "url: http://metadata/computeMetadata/v1/", match: "metadata", ...GCP },
  { text: "url: http://Metadata./computeMetadata/v1/", match: "Metadata.", ...GCP },
  { text: "curl -s -H 'Metadata-Flavor: Google' metadata/computeMetadata/v1/token", match: "metadata", ...GCP },
  { text: "nc -v metadata 80", match: "metadata", ...GCP },
  { text: "headers:\n  Host: metadata\n", match: "metadata", ...GCP },
  { text: "url: http://metadata:80/computeMetadata/v1/", match: "metadata", ...GCP },
  { text: "url: http://metadata.goog/computeMetadata/v1/", match: "metadata.goog", endpoint: "metadata.goog", endpointId: "gcp-metadata" },
  { text: "url: http://instance-data/latest/meta-data/", match: "instance-data", endpoint: "instance-data", endpointId: "aws-imds" },
  { text: "url: http://instance-data.ec2.internal/latest/", match: "instance-data.ec2.internal", endpoint: "instance-data.ec2.internal", endpointId: "aws-imds" },
  { text: "url: http://metadata.tencentyun.com/latest/", match: "metadata.tencentyun.com", endpoint: "metadata.tencentyun.com", endpointId: "tencent-metadata" },
  { text: "url: http://ｍｅｔａｄａｔａ.google.internal/", match: "ｍｅｔａｄａｔａ.google.internal", endpoint: "metadata.google.internal", endpointId: "gcp-metadata", spelling: "Unicode" },
  { text: "url: http://meta%64ata/computeMetadata/", match: "meta%64ata", ...GCP, spelling: "percent-encoded" },
  { text: "url: http://meta\u200bdata/computeMetadata/", match: "meta\u200bdata", ...GCP, spelling: "zero-width" },
  // Wildcard DNS.
  { text: "url: http://169.254.169.254.nip.io/latest/", match: "169.254.169.254.nip.io", ...IMDS, spelling: "nip.io" },
  { text: "url: http://169-254-169-254.sslip.io/latest/", match: "169-254-169-254.sslip.io", ...IMDS, spelling: "sslip.io" },
  { text: "url: http://a9fea9fe.nip.io/latest/", match: "a9fea9fe.nip.io", ...IMDS, spelling: "hex address" },
  { text: "url: http://app-169-254-169-254.nip.io/", match: "app-169-254-169-254.nip.io", ...IMDS, spelling: "dashed" },
  { text: "url: http://my.app.169.254.169.254.xip.io/", match: "my.app.169.254.169.254.xip.io", ...IMDS, spelling: "xip.io" },
  { text: "url: http://169.254.169.254.NIP.IO./", match: "169.254.169.254.NIP.IO.", ...IMDS },
  { text: "url: http://fd00-ec2--254.sslip.io/", match: "fd00-ec2--254.sslip.io", endpoint: "fd00:ec2::254", endpointId: "aws-imds", spelling: "IPv6" },
  { text: "url: http://7f000001.a9fea9fe.rbndr.us/", match: "7f000001.a9fea9fe.rbndr.us", ...IMDS, spelling: "rbndr.us" },
  { text: "url: http://１６９-２５４-１６９-２５４.nip.io/", match: "１６９-２５４-１６９-２５４.nip.io", ...IMDS, spelling: "Unicode" },
  // The other catalogued endpoints.
  { text: "url: http://169.254.170.2/v2/credentials/x", match: "169.254.170.2", endpoint: "169.254.170.2", endpointId: "aws-ecs-task-metadata" },
  { text: "url: http://169.254.170.23/v1/credentials", match: "169.254.170.23", endpoint: "169.254.170.23", endpointId: "aws-eks-pod-identity" },
  { text: "url: http://168.63.129.16/machine?comp=goalstate", match: "168.63.129.16", endpoint: "168.63.129.16", endpointId: "azure-wireserver" },
  { text: "url: http://0xa83f8110/machine", match: "0xa83f8110", endpoint: "168.63.129.16", endpointId: "azure-wireserver" },
  { text: "url: http://100.100.100.200/latest/meta-data/", match: "100.100.100.200", endpoint: "100.100.100.200", endpointId: "alibaba-metadata" },
  { text: "url: http://169.254.0.23/meta-data/", match: "169.254.0.23", endpoint: "169.254.0.23", endpointId: "tencent-metadata" },
  { text: "url: http://169.254.42.42/conf", match: "169.254.42.42", endpoint: "169.254.42.42", endpointId: "scaleway-metadata" },
  { text: "url: http://192.0.0.192/latest/", match: "192.0.0.192", endpoint: "192.0.0.192", endpointId: "oracle-classic-metadata" },
  { text: "url: http://169.254.169.252:988/", match: "169.254.169.252", endpoint: "169.254.169.252", endpointId: "gke-metadata-server" },
  { text: "kms 169.254.169.250:1688", match: "169.254.169.250", endpoint: "169.254.169.250", endpointId: "aws-windows-activation" },
  // Environment variables that hold an endpoint: the script reaches it without writing the address.
  { text: 'creds=$(curl -s "$BASE${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}")', match: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", endpoint: "169.254.170.2", endpointId: "aws-ecs-task-metadata", spelling: "environment variable" },
  { text: "curl -s $ECS_CONTAINER_METADATA_URI_V4/task", match: "ECS_CONTAINER_METADATA_URI_V4", endpoint: "169.254.170.2", endpointId: "aws-ecs-task-metadata" },
  { text: "wget -qO- ${ECS_CONTAINER_METADATA_URI}", match: "ECS_CONTAINER_METADATA_URI", endpoint: "169.254.170.2", endpointId: "aws-ecs-task-metadata" },
  { text: 'url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]', match: "AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint: "169.254.170.23", endpointId: "aws-eks-pod-identity" },
  { text: "token=$(cat $AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)", match: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", endpoint: "169.254.170.23", endpointId: "aws-eks-pod-identity" },
  { text: "env:\n  AWS_EC2_METADATA_SERVICE_ENDPOINT: http://example.internal/\n", match: "AWS_EC2_METADATA_SERVICE_ENDPOINT", ...IMDS },
  { text: 'host = process.env.GCE_METADATA_HOST || "x"', match: "GCE_METADATA_HOST", endpoint: "169.254.169.254", endpointId: "gcp-metadata" },
  { text: "print(os.getenv('GCE_METADATA_IP'))", match: "GCE_METADATA_IP", endpoint: "169.254.169.254", endpointId: "gcp-metadata" },
  // Other link-local addresses: warnings, no endpoint id.
  { text: "peer: 169.254.1.1", match: "169.254.1.1", endpoint: "169.254.1.1", endpointId: undefined, severity: "warning" },
  { text: "url: http://0xa9fe0101/", match: "0xa9fe0101", endpoint: "169.254.1.1", endpointId: undefined, severity: "warning" },
  { text: "url: http://[fe80::1]/", match: "[fe80::1]", endpoint: "fe80::1", endpointId: undefined, severity: "warning" },
  { text: "route via fe80::1%eth0 now", match: "fe80::1%eth0", endpoint: "fe80::1", endpointId: undefined, severity: "warning" },
  { text: "url: http://[::ffff:169.254.7.7]/", match: "[::ffff:169.254.7.7]", endpoint: "169.254.7.7", endpointId: undefined, severity: "warning" },
];

/** Must give no error; most give nothing at all (`warnings` lists the link-local ones that are fine to warn on). */
const NEGATIVES: readonly { text: string; warnings?: readonly string[] }[] = [
  { text: "nameserver 169.254.169.253" },
  { text: "server 169.254.169.123 prefer iburst" },
  { text: "url: http://169.254.169.253/" },
  { text: "dig @169.254.169.253 example.com" },
  { text: "url: http://[::ffff:169.254.169.253]/" },
  { text: "nameserver fd00:ec2::253" },
  { text: "server fd00:ec2::123 iburst" },
  { text: "value: 169.254.169.2540" },
  { text: "value: 1169.254.169.254" },
  { text: "subnet: 10.169.254.169" },
  { text: "version: v169.254.169.254" },
  { text: "release 1.169.254.169.254" },
  { text: "oid 169.254.169.254.5" },
  { text: "name: x169.254.169.254" },
  { text: "host-169.254.169.254-backup is a label, not an address" },
  { text: "count: 2852039166" },
  { text: "mask: 0xa9fea9fe" },
  { text: "price: 169.16689662" },
  { text: "timestamp: 1700000000000" },
  { text: "metadata:\n  name: my-app\n  labels:\n    app: web\n" },
  { text: "metadataOptions:\n  httpTokens: required\n" },
  { text: "labels:\n  metadata: team-a\n" },
  { text: "url: https://kestra.io/docs/metadata" },
  { text: "curl https://example.com/metadata/items" },
  { text: "computeMetadata/v1/instance" },
  { text: "type: io.kestra.plugin.metadata.Export" },
  { text: "# Launch instances with an SSH key pair and emit instance metadata as outputs." },
  { text: "description: fetch the metadata of each file" },
  { text: "key: metadata.google.internalx" },
  { text: "ts: 12:30:45" },
  { text: "mac: aa:bb:cc:dd:ee:ff" },
  { text: "listen: ::1" },
  { text: "doc: 2001:db8::1" },
  { text: "url: http://10.0.0.1.nip.io/" },
  { text: "url: http://app.127.0.0.1.sslip.io/" },
  { text: "ip: 192.168.1.1" },
  { text: "version: 1.2.3" },
  { text: "image: python:3.11.4-slim" },
  { text: "date: 2024-01-01T12:00:00Z" },
  { text: "sha: 9f86d081884c7d659a2feaea0c55ad015a3bf4b1" },
  { text: "token: aGVsbG8gd29ybGQgdGhpcyBpcyBmaW5lIGFuZCBjbGVhbg==" },
  { text: "pi: 3.14159 ratio 0.5" },
  { text: "url: http://0169.0254.0169.0253/" },
  { text: "link-local peer 169.254.1.1", warnings: ["169.254.1.1"] },
  // Switches that turn the endpoint off, and longer names that merely contain a catalogued one.
  { text: "env:\n  AWS_EC2_METADATA_DISABLED: 'true'\n" },
  { text: "export AWS_EC2_METADATA_V1_DISABLED=true" },
  { text: "MY_ECS_CONTAINER_METADATA_URI_V4_COPY=1" },
  { text: "ecs_container_metadata_uri_v4 is how the docs spell it in lower case" },
  { text: "ECS_CONTAINER_METADATA_URI_V5" },
];

function only(refs: readonly EndpointReference[]): EndpointReference {
  assert.equal(refs.length, 1, `expected exactly one finding, got ${JSON.stringify(refs)}`);
  return refs[0];
}

describe("findEndpointReferences: spellings that reach an endpoint", () => {
  it("has at least 60 positive cases", () => assert.ok(POSITIVES.length >= 60));
  for (const c of POSITIVES) {
    it(`finds ${c.endpoint} in ${JSON.stringify(c.text).slice(0, 90)}`, () => {
      const start = c.text.indexOf(c.match);
      assert.ok(start >= 0 && c.text.indexOf(c.match, start + 1) < 0, "test bug: match must occur exactly once");
      const ref = only(findEndpointReferences(c.text));
      assert.deepEqual(
        { endpointId: ref.endpointId, endpoint: ref.endpoint, severity: ref.severity, start: ref.start, end: ref.end, match: ref.match },
        { endpointId: c.endpointId, endpoint: c.endpoint, severity: c.severity ?? "error", start, end: start + c.match.length, match: forDisplay(c.match) },
      );
      if (c.spelling) assert.ok(ref.spelling.includes(c.spelling), `spelling "${ref.spelling}" should mention "${c.spelling}"`);
    });
  }
});

describe("findEndpointReferences: look-alikes that are not endpoints", () => {
  it("has at least 30 negative cases", () => assert.ok(NEGATIVES.length >= 30));
  for (const c of NEGATIVES) {
    it(`reports no error in ${JSON.stringify(c.text).slice(0, 90)}`, () => {
      const refs = findEndpointReferences(c.text);
      assert.deepEqual(refs.map((r) => r.endpoint), c.warnings ?? []);
      assert.ok(refs.every((r) => r.severity === "warning" && r.endpointId === undefined));
    });
  }
});

describe("findEndpointReferences: result shape", () => {
  it("sorts by start, never overlaps, and keeps UTF-16 offsets into the original string", () => {
    const text = "a: ｈｔｔｐ://１６９．２５４．１６９．２５４/\nb: http://[::ffff:169.254.169.254]/ c: http://0xa9fea9fe/\nd: 169.254.3.4";
    const refs = findEndpointReferences(text);
    assert.deepEqual(refs.map((r) => [r.endpoint, r.severity, text.slice(r.start, r.end)]), [
      ["169.254.169.254", "error", "１６９．２５４．１６９．２５４"],
      ["169.254.169.254", "error", "[::ffff:169.254.169.254]"],
      ["169.254.169.254", "error", "0xa9fea9fe"],
      ["169.254.3.4", "warning", "169.254.3.4"],
    ]);
  });

  it("reports every occurrence on a line, each at its own offset", () => {
    const text = "x http://169.254.169.254/ y http://169.254.169.254/ z";
    assert.deepEqual(findEndpointReferences(text).map((r) => r.start), [9, 35]);
  });

  it("escapes control and invisible characters in match for display", () => {
    const ref = only(findEndpointReferences("u: http://169.254\u200b.169.\t254/"));
    assert.equal(ref.match, "169.254\\u200b.169.\\t254");
  });

  it("does not decode base64 when decodeBase64 is false", () => {
    const text = "echo Y3VybCBodHRwOi8vMTY5LjI1NC4xNjkuMjU0Lw== | base64 -d";
    assert.equal(findEndpointReferences(text).length, 1);
    assert.deepEqual(findEndpointReferences(text, { decodeBase64: false }), []);
  });

  it("finds references inside base64 inside base64 once", () => {
    const inner = Buffer.from("curl http://169.254.169.254/").toString("base64");
    const outer = Buffer.from(`echo ${inner} | base64 -d | sh`).toString("base64");
    const ref = only(findEndpointReferences(`data: ${outer}`));
    assert.equal(ref.endpoint, "169.254.169.254");
    assert.equal(ref.start, 6);
  });
});

describe("findEndpointReferences on long lines", () => {
  it("finds every reference on a line longer than one decoding window, once each", () => {
    // About 300 kB on one line, percent-encoded, so it is decoded in overlapping pieces.
    const unit = "x%20y 169.254.169.254 z%2Fw 0.0.0.0 ";
    const text = unit.repeat(8000);
    const refs = findEndpointReferences(text);
    assert.equal(refs.length, 8000);
    assert.ok(refs.every((r, i) => r.start === i * unit.length + 6 && r.match === "169.254.169.254"));
  });
});
