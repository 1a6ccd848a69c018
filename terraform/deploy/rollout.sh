#!/usr/bin/env bash
# Rolls a new image out to the app's Auto Scaling group, the way Jenkins
# does it (Jenkinsfile: Deploy, Smoke test, Promote), or by hand:
#
#   rollout.sh start <tag>   make a launch template version whose instance tag
#                            image-tag is <tag> (a copy of the default version
#                            otherwise) and refresh the group to it: checkpoints,
#                            alarms and auto-rollback (ROLLOUT_PREFERENCES);
#                            waits for the end. Nothing is marked released here.
#   rollout.sh promote       after the smoke test: the new version becomes the
#                            template's default (what Terraform and scale-outs
#                            use) and the tag is recorded in IMAGE_TAG_PARAMETER.
#   rollout.sh rollback      the smoke test failed: refresh back to the previous
#                            version (only the instances not on it are replaced)
#                            and delete the new version.
#
# The image tag travels with the launch template version, so AWS's own
# rollback (an alarm at a checkpoint, instances that never get healthy)
# brings the previous image back too; a refused, failed or cancelled refresh
# never leaves the new tag recorded, and instances already started on the
# new version are replaced. State between the steps: $ROLLOUT_STATE.
#
# Needs: bash, the AWS CLI v2, jq. Environment (Terraform outputs):
#   AWS_REGION, AUTOSCALING_GROUP, LAUNCH_TEMPLATE_ID, IMAGE_TAG_PARAMETER,
#   ROLLOUT_PREFERENCES (output rollout_preferences_json)
# Optional: ROLLOUT_STATE (.rollout.env), ROLLOUT_TIMEOUT (seconds, 5400),
#   ROLLOUT_POLL (seconds between polls, 30).
set -euo pipefail

: "${AWS_REGION:?}" "${AUTOSCALING_GROUP:?}" "${LAUNCH_TEMPLATE_ID:?}" "${IMAGE_TAG_PARAMETER:?}"
state=${ROLLOUT_STATE:-.rollout.env}
case "$state" in /*) ;; *) state=./$state ;; esac
timeout=${ROLLOUT_TIMEOUT:-5400}
poll=${ROLLOUT_POLL:-30}
tag_key=image-tag
export AWS_PAGER=""

log() { printf 'rollout: %s\n' "$*" >&2; }

# refresh_to VERSION PREFERENCES: start a refresh to a launch template version; prints its ID.
refresh_to() {
  aws autoscaling start-instance-refresh --auto-scaling-group-name "$AUTOSCALING_GROUP" \
    --desired-configuration "{\"LaunchTemplate\":{\"LaunchTemplateId\":\"$LAUNCH_TEMPLATE_ID\",\"Version\":\"$1\"}}" \
    --preferences "$2" --query InstanceRefreshId --output text
}

# wait_refresh ID: prints the refresh's final status. Past $timeout it asks
# AWS to roll the refresh back and keeps waiting for that.
wait_refresh() {
  local id=$1 status started=$SECONDS asked=""
  while :; do
    status=$(aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$AUTOSCALING_GROUP" \
      --instance-refresh-ids "$id" --query 'InstanceRefreshes[0].Status' --output text)
    case "$status" in
      Successful | Failed | Cancelled | RollbackSuccessful | RollbackFailed) echo "$status"; return 0 ;;
    esac
    if [ -z "$asked" ] && [ $((SECONDS - started)) -ge "$timeout" ]; then
      log "refresh $id still $status after ${timeout}s: rolling it back"
      aws autoscaling rollback-instance-refresh --auto-scaling-group-name "$AUTOSCALING_GROUP" >/dev/null || true
      asked=1
    fi
    sleep "$poll"
  done
}

# back_to_previous: replace every instance that is not on the previous
# version (a refresh that ended without AWS's rollback), then drop the new one.
back_to_previous() {
  local id status prefs
  prefs=$(jq -c '. + {SkipMatching: true, AutoRollback: false} | del(.AlarmSpecification, .CheckpointPercentages, .CheckpointDelay)' <<<"$ROLLOUT_PREFERENCES")
  log "refreshing back to version $prev_version (tag $prev_tag)"
  id=$(refresh_to "$prev_version" "$prefs")
  status=$(wait_refresh "$id")
  drop_new
  [ "$status" = Successful ] || { log "the refresh back to $prev_version ended $status: look at the group now"; return 1; }
}

drop_new() {
  aws ec2 delete-launch-template-versions --launch-template-id "$LAUNCH_TEMPLATE_ID" --versions "$new_version" >/dev/null ||
    log "could not delete launch template version $new_version (delete it by hand: it is not the default)"
}

cmd=${1:-}
case "$cmd" in
  start)
    tag=${2:?usage: rollout.sh start <tag>}
    : "${ROLLOUT_PREFERENCES:?}"
    read -r prev_version < <(aws ec2 describe-launch-template-versions --launch-template-id "$LAUNCH_TEMPLATE_ID" \
      --versions '$Default' --query 'LaunchTemplateVersions[0].VersionNumber' --output text)
    specs=$(aws ec2 describe-launch-template-versions --launch-template-id "$LAUNCH_TEMPLATE_ID" \
      --versions "$prev_version" --query 'LaunchTemplateVersions[0].LaunchTemplateData.TagSpecifications' --output json)
    prev_tag=$(jq -r --arg k "$tag_key" '[.[] | select(.ResourceType == "instance") | .Tags[] | select(.Key == $k) | .Value][0] // "none"' <<<"$specs")
    if [ "$prev_tag" = "$tag" ]; then
      log "version $prev_version already runs $tag: nothing to roll out"
      printf 'new_version=%s\nprev_version=%s\nprev_tag=%s\ntag=%s\n' "$prev_version" "$prev_version" "$prev_tag" "$tag" >"$state"
      exit 0
    fi
    data=$(jq -c --arg k "$tag_key" --arg v "$tag" '{TagSpecifications: [.[] | if .ResourceType == "instance"
      then .Tags = ([.Tags[] | select(.Key != $k)] + [{Key: $k, Value: $v}]) else . end]}' <<<"$specs")
    new_version=$(aws ec2 create-launch-template-version --launch-template-id "$LAUNCH_TEMPLATE_ID" \
      --source-version "$prev_version" --version-description "image $tag" --launch-template-data "$data" \
      --query LaunchTemplateVersion.VersionNumber --output text)
    printf 'new_version=%s\nprev_version=%s\nprev_tag=%s\ntag=%s\n' "$new_version" "$prev_version" "$prev_tag" "$tag" >"$state"
    if [ "$prev_tag" = none ]; then
      # The first image: no instance runs yet (the group is empty until
      # terraform apply -var image_tag=... sets its size).
      aws ec2 modify-launch-template --launch-template-id "$LAUNCH_TEMPLATE_ID" --default-version "$new_version" >/dev/null
      aws ssm put-parameter --name "$IMAGE_TAG_PARAMETER" --type String --overwrite --value "$tag" >/dev/null
      log "first image $tag is version $new_version. Start the instances: terraform apply -var image_tag=$tag (terraform/README.md)"
      echo first=1 >>"$state"
      exit 0
    fi
    log "rolling out $tag as version $new_version (was $prev_version, $prev_tag)"
    if ! id=$(refresh_to "$new_version" "$ROLLOUT_PREFERENCES"); then
      log "the refresh was refused: nothing changed; dropping version $new_version"
      drop_new
      exit 1
    fi
    # A Jenkins abort or timeout stops this script: ask AWS to roll back.
    trap 'log "interrupted: rolling refresh $id back"; aws autoscaling rollback-instance-refresh --auto-scaling-group-name "$AUTOSCALING_GROUP" >/dev/null || true; exit 1' INT TERM
    status=$(wait_refresh "$id")
    trap - INT TERM
    case "$status" in
      Successful) log "version $new_version ($tag) runs on every instance; smoke test next, then promote" ;;
      RollbackSuccessful)
        log "the refresh was rolled back (an alarm or unhealthy instances): every instance runs $prev_tag again"
        drop_new
        exit 1 ;;
      *)
        log "the refresh ended $status"
        back_to_previous || true
        exit 1 ;;
    esac
    ;;
  promote | rollback)
    first=""
    # shellcheck disable=SC1090
    . "$state"
    if [ "$new_version" = "$prev_version" ]; then log "nothing was rolled out"; exit 0; fi
    if [ -n "$first" ]; then log "first image: already the default"; exit 0; fi
    if [ "$cmd" = promote ]; then
      aws ec2 modify-launch-template --launch-template-id "$LAUNCH_TEMPLATE_ID" --default-version "$new_version" >/dev/null
      aws ssm put-parameter --name "$IMAGE_TAG_PARAMETER" --type String --overwrite --value "$tag" >/dev/null
      log "released $tag (launch template version $new_version is the default)"
    else
      : "${ROLLOUT_PREFERENCES:?}"
      back_to_previous
      log "rolled back to $prev_tag (version $prev_version)"
    fi
    ;;
  *)
    echo "usage: rollout.sh start <tag> | promote | rollback" >&2
    exit 2 ;;
esac
