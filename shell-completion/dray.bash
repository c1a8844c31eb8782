# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for dray(1): verbs, sub-verbs, options, and the names of containers, images,
# networks and volumes. Verbs and options come from dray's own --help, so they never fall out of
# step with the CLI; names come from drayd (nothing is completed when it does not answer).

_dray_words_of_help() {
        # The verbs listed under "Verbs:" in a help text.
        awk '/^Verbs:/ {v = 1; next} v && /^  [a-z]/ {print $1} v && /^$/ {v = 0}'
}

_dray_options_of_help() {
        grep -oE -- '(^|[ ,[])--?[a-zA-Z][-a-zA-Z0-9]*' | tr -d ' ,[' | sort -u
}

_dray_containers() { dray ps -a --format json 2>/dev/null | sed -n 's/^ *"Name": "\(.*\)",*$/\1/p'; }
_dray_images() { dray images 2>/dev/null | awk 'NR > 1 && $1 != "<none>" {print $1 ":" $2}'; }
_dray_networks() { dray network ls -q 2>/dev/null; }
_dray_volumes() { dray volume ls -q 2>/dev/null; }

_dray() {
        local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD - 1]}"
        local verb="" sub="" i words
        COMPREPLY=()

        for ((i = 1; i < COMP_CWORD; i++)); do
                case "${COMP_WORDS[i]}" in
                -H | --host) [[ -z $verb ]] && ((i++)) ;; # its value is no verb
                -*) ;;
                *)
                        if [[ -z $verb ]]; then
                                verb="${COMP_WORDS[i]}"
                        elif [[ -z $sub && $verb =~ ^(image|network|volume|schedule|generate|system|container|healthcheck)$ ]]; then
                                sub="${COMP_WORDS[i]}"
                        fi
                        ;;
                esac
        done

        if [[ -z $verb ]]; then
                words="$(dray help 2>/dev/null | _dray_words_of_help) --help --version --host"
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
                return 0
        fi
        if [[ $verb =~ ^(image|network|volume|schedule|generate|system|container|healthcheck)$ && -z $sub ]]; then
                words="$(dray "$verb" --help 2>/dev/null | _dray_words_of_help) --help"
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
                return 0
        fi
        if [[ $cur == -* ]]; then
                if [[ -n $sub ]]; then
                        words="$(dray "$verb" "$sub" --help 2>/dev/null | _dray_options_of_help)"
                else
                        words="$(dray "$verb" --help 2>/dev/null | _dray_options_of_help)"
                fi
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
                return 0
        fi

        case "$prev" in
        -H | --host) [[ -z $verb ]] && COMPREPLY=($(compgen -A hostname -- "$cur")); return 0 ;;
        --detach-keys) COMPREPLY=($(compgen -W "ctrl-p,ctrl-q ''" -- "$cur")); return 0 ;;
        --network | --net) COMPREPLY=($(compgen -W "none host $(_dray_networks)" -- "$cur")); return 0 ;;
        --volumes-from) COMPREPLY=($(compgen -W "$(_dray_containers)" -- "$cur")); return 0 ;;
        -v | --volume) COMPREPLY=($(compgen -W "$(_dray_volumes)" -- "$cur") $(compgen -d -- "$cur")); return 0 ;;
        --rootfs | -o | --output | -i | --input | --env-file | --authfile) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        --device) COMPREPLY=($(compgen -f -- "${cur:-/dev/}")); return 0 ;;
        --format) COMPREPLY=($(compgen -W "table json" -- "$cur")); return 0 ;;
        --pull) COMPREPLY=($(compgen -W "missing always never" -- "$cur")); return 0 ;;
        --restart) COMPREPLY=($(compgen -W "no always unless-stopped on-failure" -- "$cur")); return 0 ;;
        --filter) [[ $verb == events ]] && COMPREPLY=($(compgen -W "type= event= container= image= network= volume=" -- "$cur")) &&
                compopt -o nospace 2>/dev/null; return 0 ;;
        esac

        case "$verb" in
        run | create) COMPREPLY=($(compgen -W "$(_dray_images)" -- "$cur")) ;;
        images | pull | push | rmi | tag | history | save) COMPREPLY=($(compgen -W "$(_dray_images)" -- "$cur")) ;;
        image)
                case "$sub" in
                import | load) COMPREPLY=($(compgen -f -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "$(_dray_images)" -- "$cur")) ;;
                esac
                ;;
        network)
                case "$sub" in
                create) ;;
                connect | disconnect) COMPREPLY=($(compgen -W "$(_dray_networks) $(_dray_containers)" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "$(_dray_networks)" -- "$cur")) ;;
                esac
                ;;
        volume) [[ $sub != create ]] && COMPREPLY=($(compgen -W "$(_dray_volumes)" -- "$cur")) ;;
        cp)
                if [[ $cur == *:* ]]; then
                        COMPREPLY=()
                else
                        COMPREPLY=($(compgen -W "$(_dray_containers | sed 's/$/:/')" -- "$cur") $(compgen -f -- "$cur"))
                        compopt -o nospace 2>/dev/null
                fi
                ;;
        help) COMPREPLY=($(compgen -W "$(dray help 2>/dev/null | _dray_words_of_help)" -- "$cur")) ;;
        version | schedule | events | system) ;;
        container) [[ $sub != prune ]] && COMPREPLY=($(compgen -W "$(_dray_containers)" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$(_dray_containers)" -- "$cur")) ;;
        esac
        return 0
}

complete -F _dray dray
