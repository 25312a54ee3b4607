// Custom resource: reads a multi-region KMS key ARN from an SSM parameter in another
// Region. Deployed inline (CloudFormation ZipFile), so it stays small: under 4096 characters.
'use strict';
const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');

exports.handler = async (event, context) => {
  let status = 'SUCCESS';
  let reason = '';
  let data;
  // The parameter name is a stable id, so CloudFormation never replaces (and deletes) it.
  let physicalId = event.PhysicalResourceId;
  try {
    if (event.RequestType !== 'Delete') {
      const { ParameterName: name, ParameterRegion: region } = event.ResourceProperties || {};
      data = { Value: await readKeyArn(name, region) };
      physicalId = name;
    }
  } catch (e) {
    status = 'FAILED';
    reason = String(e && e.message).slice(0, 1000);
  }
  physicalId = physicalId || (context && context.logStreamName) || event.LogicalResourceId;
  const line = `${event.RequestType} CrossRegionParameterReader: ${status}`;
  if (reason) console.error(`${line}: ${reason}`);
  else console.log(line);
  await respond(event.ResponseURL, {
    Status: status,
    Reason: reason || `${event.RequestType} succeeded`,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
};

async function readKeyArn(name, region) {
  if (typeof name !== 'string' || !name || typeof region !== 'string' || !region) {
    throw new Error('ParameterName and ParameterRegion properties are required');
  }
  // The Region goes into a RegExp below, so only Region-shaped text is accepted.
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`ParameterRegion must be a Region name such as us-east-1, got ${JSON.stringify(region)}`);
  }
  const where = `Parameter ${name} in ${region}`;
  let value;
  try {
    const out = await new SSMClient({ region, maxAttempts: 6 }).send(new GetParameterCommand({ Name: name }));
    value = out.Parameter && out.Parameter.Value;
  } catch (e) {
    if (e && e.name === 'ParameterNotFound') throw new Error(`${where} does not exist`, { cause: e });
    throw new Error(`${where} could not be read: ${e && e.name}: ${e && e.message}`, { cause: e });
  }
  const arn = new RegExp(`^arn:aws[a-z-]*:kms:${region}:\\d{12}:key/mrk-[0-9a-f]{32}$`);
  if (typeof value !== 'string' || !arn.test(value)) {
    const got = JSON.stringify(String(value).slice(0, 300));
    throw new Error(`${where} does not hold a multi-region key ARN of ${region}: got ${got}`);
  }
  return value;
}

// CloudFormation expects an empty content-type on the PUT to the presigned ResponseURL.
function respond(responseUrl, response) {
  const body = JSON.stringify(response);
  const url = new URL(responseUrl);
  const transport = require(url.protocol === 'http:' ? 'http' : 'https');
  const headers = { 'content-type': '', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method: 'PUT', headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode < 300 ? resolve() : reject(new Error(`CloudFormation response rejected with HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', (e) => reject(new Error(`CloudFormation response not sent: ${e.message}`)));
    req.end(body);
  });
}
